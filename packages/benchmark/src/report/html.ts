import { MODEL_LABELS, TASK_LABELS } from '../names';
import { ARCHITECTURES } from '../models/architecture';
import { measurementNotes } from './notes';
import { Plot, renderSvg } from './plots';
import { Table, comparisonTable, flowTable, groupTable, scalingRssTable, scalingTable, summaryTable, taskTable } from './tables';
import type { CompareReport } from './types';

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders a table as HTML. */
export function htmlTable(table: Table): string {
  const cls = (i: number) => (table.numeric?.[i] ? ' class="num"' : '');
  const head = table.headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = table.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}
th{background:#f3f3f3}td.num,th.num{text-align:right}figure{margin:1.5em 0}figcaption{font-size:13px;color:#555}
.verdict{font-weight:bold}.agrees{color:#176117}.differs{color:#a11}.partly{color:#a60}.not-tested{color:#666}`;

/**
 * The report as one self-contained HTML page: the Markdown report's tables, and the plots
 * (Vega-Lite rendered to inline SVG in Node).
 */
export async function renderHtml(report: CompareReport, plots: readonly Plot[]): Promise<string> {
  const svgs = new Map<string, string>();
  for (const p of plots) {
    try {
      svgs.set(p.id, await renderSvg(p.spec));
    } catch (e) {
      svgs.set(p.id, `<p>plot failed: ${escapeHtml(e instanceof Error ? e.message : String(e))}</p>`);
    }
  }
  const figure = (id: string): string => {
    const p = plots.find((q) => q.id === id);
    return p ? `<figure>${svgs.get(id)}<figcaption>${escapeHtml(p.title)}</figcaption></figure>` : '';
  };
  const m = report.machine;
  const parts: string[] = [];
  parts.push(`<!doctype html><html><head><meta charset="utf-8"><title>loopflow compare: ${report.suite}</title><style>${STYLE}</style></head><body>`);
  parts.push(`<h1>loopflow compare: ${escapeHtml(report.suite)} suite</h1>`);
  parts.push(`<p>Started ${escapeHtml(report.startedAt)}, ${(report.wallSeconds / 60).toFixed(1)} min. ${m.cpus} × ${escapeHtml(m.cpuModel)}, Node ${escapeHtml(m.node)}, backend ${escapeHtml(m.backend)}, ${m.parallel} worker(s) (${m.isolation}); load average ${m.loadAverageStart.map((v) => v.toFixed(2)).join(' / ')} at start, ${m.loadAverageEnd.map((v) => v.toFixed(2)).join(' / ')} at end. Seeds: ${report.config.seeds}.</p>`);
  parts.push('<h2>Summary</h2>', htmlTable(summaryTable(report)));
  parts.push('<h2>Compared with published results</h2><ul>');
  for (const c of report.published) {
    parts.push(`<li><span class="verdict ${c.verdict.replace(' ', '-')}">${escapeHtml(c.verdict)}</span> — ${escapeHtml(c.claim)} <em>(${escapeHtml(c.source)})</em><br>Measured: ${escapeHtml(c.measured)}</li>`);
  }
  parts.push('</ul>');
  parts.push('<h2>Tasks</h2>', htmlTable(taskTable(report)), '<ul>', ...report.tasks.map((t) => `<li><code>${escapeHtml(t.taskId)}</code>: ${escapeHtml(t.description)}</li>`), '</ul>');
  const ran = (task: string): boolean => report.tasks.some((t) => t.task === task);
  if (ran('adding')) parts.push(`<h2>${escapeHtml(TASK_LABELS.adding)}</h2>`, figure('curve-adding'));
  if (ran('copy')) parts.push(`<h2>${escapeHtml(TASK_LABELS.copy)}</h2>`, figure('curve-copy'));
  if (ran('long-context')) {
    parts.push(`<h2>${escapeHtml(TASK_LABELS['long-context'])}</h2>`, figure('accuracy-by-distance'));
    for (const t of report.tasks.filter((x) => x.groupName)) {
      const table = groupTable(report, t.taskId);
      if (table) parts.push(htmlTable(table));
    }
    parts.push(figure('curve-long-context'));
  }
  if (ran('char-lm')) parts.push(`<h2>${escapeHtml(TASK_LABELS['char-lm'])}</h2>`, figure('curve-char-lm'));
  if (ran('co2')) parts.push(`<h2>${escapeHtml(TASK_LABELS.co2)}</h2>`, figure('curve-co2'));
  parts.push('<h2>Time and memory per training step against sequence length</h2>', figure('scaling-time'), figure('scaling-memory'));
  const scaling = scalingTable(report);
  if (scaling) parts.push(htmlTable(scaling));
  const rss = scalingRssTable(report);
  if (rss) parts.push('<p>Peak RSS (MB) of each scaling worker after each length:</p>', htmlTable(rss));
  parts.push('<h2>Gradient flow</h2>', figure('gradient-flow'));
  const flow = flowTable(report);
  if (flow) parts.push(htmlTable(flow));
  parts.push('<h2>Models</h2><ul>', ...report.config.models.map((k) => `<li>${escapeHtml(MODEL_LABELS[k])}: ${escapeHtml(ARCHITECTURES[k].notes)}.</li>`), '</ul>');
  parts.push('<h2>How the numbers were measured</h2><ul>', ...measurementNotes(report).map((n) => `<li>${escapeHtml(n)}</li>`), '</ul>');
  if (report.skipped.length > 0) parts.push('<h2>Runs not made</h2><ul>', ...report.skipped.map((s) => `<li>${escapeHtml(`${s.taskId} / ${MODEL_LABELS[s.model]}: ${s.reason}`)}</li>`), '</ul>');
  if (report.failed.length > 0) parts.push('<h2>Failed jobs</h2><ul>', ...report.failed.map((f) => `<li>${escapeHtml(`${f.id} (${f.jobKind}): ${f.error.split('\n')[0]}`)}</li>`), '</ul>');
  parts.push('</body></html>');
  return parts.join('\n');
}
