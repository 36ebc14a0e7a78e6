import { MODEL_LABELS, TASK_LABELS } from '../names';
import { ARCHITECTURES } from '../models/architecture';
import { measurementNotes } from './notes';
import { Table, comparisonTable, flowTable, groupTable, scalingRssTable, scalingTable, summaryTable, taskTable } from './tables';
import type { CompareReport } from './types';

/** Renders a table as GitHub Markdown (pipes in cells escaped). */
export function markdownTable(table: Table): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const align = table.headers.map((_, i) => (table.numeric?.[i] ? '---:' : '---'));
  return [`| ${table.headers.map(cell).join(' | ')} |`, `| ${align.join(' | ')} |`, ...table.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

/**
 * The report as Markdown: the run, the summary table, the published findings set against the
 * measured numbers, per-task tables, scaling, gradient flow, the models and how everything
 * was measured.
 */
export function renderMarkdown(report: CompareReport): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(`# loopflow compare: ${report.suite} suite`, '');
  out.push(`Started ${report.startedAt}, finished ${report.finishedAt} (${(report.wallSeconds / 60).toFixed(1)} min). ${m.cpus} × ${m.cpuModel}, Node ${m.node}, tensor backend ${m.backend}, ${m.parallel} worker(s) (${m.isolation}); load average at start ${m.loadAverageStart.map((v) => v.toFixed(2)).join(' / ')}, at end ${m.loadAverageEnd.map((v) => v.toFixed(2)).join(' / ')}. Seeds: ${report.config.seeds}. Plots: report.html; raw numbers: results.json.${report.resumed ? ` Resumed: ${report.resumed.jobsKept} job(s) kept from the run begun ${report.resumed.firstStartedAt}.` : ''}`, '');
  out.push('## Summary', '', markdownTable(summaryTable(report)), '');
  out.push('## Compared with published results', '');
  out.push('Each verdict is computed from the numbers above by the rules in `report/published.ts` of @loopflow/benchmark; where this run differs from the published result, it says so.', '');
  for (const c of report.published) out.push(`- **${c.verdict}** — ${c.claim} (${c.source})  \n  Measured: ${c.measured}`);
  out.push('');
  out.push('## Tasks', '', markdownTable(taskTable(report)), '');
  for (const t of report.tasks) out.push(`- \`${t.taskId}\`: ${t.description}`);
  out.push('');
  for (const t of report.tasks.filter((x) => x.groupName)) {
    const table = groupTable(report, t.taskId);
    if (table) out.push(`## ${TASK_LABELS[t.task]}: test accuracy by ${t.groupName}`, '', markdownTable(table), '');
  }
  const scaling = scalingTable(report);
  if (scaling) {
    out.push('## Time and memory per training step against sequence length', '', markdownTable(scaling), '');
    out.push('Cells: ms per step (best of the timed steps) / MB held by the autograd graph of the step. Exponents: fit over all lengths; slope between the two longest.', '');
    const rss = scalingRssTable(report);
    if (rss) out.push('Peak RSS (MB) of each scaling worker after each length:', '', markdownTable(rss), '');
  }
  const flow = flowTable(report);
  if (flow) out.push('## Gradient flow', '', markdownTable(flow), '');
  out.push('## Models', '');
  for (const kind of report.config.models) out.push(`- ${MODEL_LABELS[kind]}: ${ARCHITECTURES[kind].notes}.`);
  out.push('');
  out.push('## How the numbers were measured', '');
  for (const n of measurementNotes(report)) out.push(`- ${n}`);
  out.push('');
  if (report.skipped.length > 0) {
    out.push('## Runs not made', '');
    for (const s of report.skipped) out.push(`- ${s.taskId} / ${MODEL_LABELS[s.model]}: ${s.reason}`);
    out.push('');
  }
  if (report.failed.length > 0) {
    out.push('## Failed jobs', '');
    for (const f of report.failed) out.push(`- ${f.id} (${f.jobKind}): ${f.error.split('\n')[0]}`);
    out.push('');
  }
  return out.join('\n');
}
