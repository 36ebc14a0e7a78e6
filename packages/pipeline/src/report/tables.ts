/** The report's HTML tables: metrics of the model beside the baselines, confusion counts, generated samples. */
import type { RunSummary } from '../run-folder/summary';
import type { MetricSet } from '../vocabulary/metric-set';
import { metricMode } from '../vocabulary/metric-set';
import type { SplitName } from '../vocabulary/items';

/** Escapes text for HTML. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number for a table: 4 significant digits, integers as they are. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
}

/** The metric that sums up a task's result, for the comparison sentences. */
function headline(task: string | undefined): string {
  return task === 'classification' ? 'accuracy' : task === 'forecast' ? 'rmse' : 'loss';
}

const UNITS: Record<string, string> = { loss: 'nats per token', rmse: 'in the original units', mae: 'in the original units' };

/** A short name of the model of a definition: `lstm, 128 units`, `feedback (lateral): h1 rnn_tanh 64, h2 rnn_tanh 32`... */
export function modelLabel(definition: unknown): string | undefined {
  const stages = (definition as { stages?: Record<string, unknown>[] } | undefined)?.stages ?? [];
  const o = stages.find((s) => s.stage === 'recurrent' || s.stage === 'feedback' || s.stage === 'attention');
  if (!o) return undefined;
  if (o.stage === 'recurrent') {
    const layers = (o.numLayers as number | undefined) ?? 1;
    return `${o.cell ?? 'lstm'}, ${o.hiddenSize} units${layers > 1 ? ` x ${layers} layers` : ''}${o.bidirectional ? ', bidirectional' : ''}`;
  }
  if (o.stage === 'attention') return `attention, dModel ${o.dModel}, ${o.heads} heads, ${o.layers} layers`;
  const edges = o.feedback === 'complete' ? ['complete'] : [...new Set(((o.feedback as { kind: string }[] | undefined) ?? []).map((e) => e.kind))];
  const layers = ((o.layers as { name: string; cell: string; size: number }[] | undefined) ?? []).map((l) => `${l.name} ${l.cell} ${l.size}`);
  return `feedback (${edges.join(', ') || 'none'}): ${layers.join(', ')}`;
}

/**
 * The metrics of every evaluated split: one table per split with the model's row and one row
 * per baseline, then a sentence per baseline comparing its headline metric with the model's.
 */
export function metricsTables(summary: RunSummary): string {
  const metrics = summary.metrics ?? {};
  const baselines = summary.baselines ?? [];
  const splits = [...new Set([...Object.keys(metrics), ...baselines.flatMap((b) => Object.keys(b.metrics))])] as SplitName[];
  if (splits.length === 0) return '<p>No evaluation.</p>';
  const out: string[] = [];
  for (const split of splits) {
    const rows: [string, MetricSet | undefined][] = [['model', metrics[split]], ...baselines.map((b): [string, MetricSet | undefined] => [`baseline: ${b.name}`, b.metrics[split]])];
    const names = [...new Set(rows.flatMap(([, m]) => Object.keys(m ?? {})))];
    const head = `<tr><th></th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;
    const body = rows.map(([label, m], i) => `<tr${i === 0 ? ' class="model"' : ''}><th>${escapeHtml(label)}</th>${names.map((n) => `<td>${m?.[n] === undefined ? '' : formatMetric(m[n])}</td>`).join('')}</tr>`);
    out.push(`<h3>${split}</h3><table>${head}${body.join('')}</table>`);
  }
  const key = headline(summary.task);
  const test = metrics.test ?? metrics.validation;
  const split = metrics.test ? 'test' : 'validation';
  const sentences = baselines.flatMap((b) => {
    const mine = test?.[key];
    const theirs = b.metrics[split]?.[key];
    if (mine === undefined || theirs === undefined) return [];
    const better = metricMode(key) === 'min' ? mine < theirs : mine > theirs;
    const gap = Math.abs(mine - theirs);
    const ratio = key === 'rmse' && theirs > 0 ? ` (${formatMetric(mine / theirs)} times the baseline's)` : '';
    const units = key === 'loss' && test?.bitsPerCharacter !== undefined ? 'nats per character' : UNITS[key];
    const amount = key === 'accuracy' ? `${formatMetric(100 * gap)} percentage points` : `${formatMetric(gap)}${units ? ` ${units}` : ''}`;
    return [`<li>${split} ${key}: the model's ${formatMetric(mine)} is ${amount} ${mine < theirs ? 'below' : 'above'} <b>${escapeHtml(b.name)}</b>'s ${formatMetric(theirs)}${ratio} — ${better ? 'better' : '<span class="error">not better</span>'}. <span class="note">${escapeHtml(b.name)}: ${escapeHtml(b.description)}.</span></li>`];
  });
  if (sentences.length) out.push(`<ul class="comparison">${sentences.join('')}</ul>`);
  return out.join('\n');
}

/** The confusion counts of each split as a small table (beside the heat map). */
export function confusionTable(matrix: readonly (readonly number[])[], labels: readonly string[]): string {
  const head = `<tr><th>actual \\ predicted</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>`;
  const rows = matrix.map((row, i) => `<tr><th>${escapeHtml(labels[i])}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

/** The generated samples of a language model and the share that is not in the training split. */
export function samplesSection(summary: RunSummary): string {
  const g = summary.generated;
  if (!g) return '';
  const share = g.count ? (100 * g.novel) / g.count : 0;
  const items = g.examples.map((t) => `<li>${escapeHtml(t)}</li>`).join('');
  return `<h2>Samples</h2>
<p>${g.count} samples at temperature ${formatMetric(g.temperature)} (in <code>${escapeHtml(g.file)}</code>): <b>${g.novel} (${share.toFixed(1)}%) are new</b>, not an item of the training split. The first ${g.examples.length}:</p>
<ol class="samples">${items}</ol>`;
}

/** What the file sources read: rows kept and rows skipped as bad, with the first skipped rows' messages (empty when no source reported). */
export function sourcesSection(summary: RunSummary): string {
  const sources = summary.sources ?? [];
  if (sources.length === 0) return '';
  const rows = sources.map((s) => `<tr><td style="text-align:left">${escapeHtml(s.stage)} <code>${escapeHtml(s.file)}</code></td><td>${s.rows}</td><td>${s.skipped}</td></tr>`).join('');
  const errors = sources.flatMap((s) => s.errors.map((e) => `<li>${escapeHtml(e)}</li>`)).join('');
  return `<h2>Data read</h2>
<table><tr><th>source</th><th>rows kept</th><th>rows skipped</th></tr>${rows}</table>${errors ? `\n<p>The first skipped rows:</p><ul>${errors}</ul>` : ''}`;
}

