import * as fs from 'fs';
import * as path from 'path';
import type { RunSummary } from '../run-folder/summary';
import { readMetricsLog } from '../run-folder/run-folder';
import { DIAGNOSTICS_FILE, RunDiagnostics } from '../diagnostics/diagnostics';
import { LossPoint, lossChartSpec, renderSvg } from './svg-chart';
import { confusionSpec, gradientFlowSpec, seriesSpec } from './charts';
import { confusionTable, escapeHtml, formatMetric, metricsTables, modelLabel, samplesSection, sourcesSection } from './tables';

export { formatMetric } from './tables';

/** What a report is made of, read from a run folder. */
export interface ReportData {
  summary: RunSummary;
  /** The definition as run. */
  definition: unknown;
  /** The lines of metrics.jsonl. */
  events: Record<string, unknown>[];
  /** diagnostics.json (gradient flow, forecasts against the truth), when the run finished training. */
  diagnostics?: RunDiagnostics;
}

/** Reads a run folder's summary.json, definition.json, metrics.jsonl and diagnostics.json. */
export function readReportData(runDir: string): ReportData {
  const read = (file: string): unknown => (fs.existsSync(path.join(runDir, file)) ? JSON.parse(fs.readFileSync(path.join(runDir, file), 'utf8')) : undefined);
  const diagnostics = read(DIAGNOSTICS_FILE) as RunDiagnostics | undefined;
  return { summary: read('summary.json') as RunSummary, definition: read('definition.json'), events: readMetricsLog(path.join(runDir, 'metrics.jsonl')), ...(diagnostics ? { diagnostics } : {}) };
}

/** The loss curves of a run: per epoch (training and validation) and per optimizer step. */
export async function lossCharts(data: ReportData): Promise<string[]> {
  const epochs: LossPoint[] = [];
  for (const h of data.summary.history ?? []) {
    epochs.push({ x: h.epoch, loss: h.trainLoss, series: 'training' });
    if (h.valid) epochs.push({ x: h.epoch, loss: h.valid.loss, series: 'validation' });
  }
  const steps: LossPoint[] = data.events.filter((e) => e.type === 'step').map((e) => ({ x: e.step as number, loss: e.loss as number, series: 'training (per step)' }));
  const every = Math.max(1, Math.ceil(steps.length / 2000));
  const charts: string[] = [];
  if (epochs.length) charts.push(await renderSvg(lossChartSpec(epochs, 'epoch', 'Loss per epoch')));
  if (steps.length) charts.push(await renderSvg(lossChartSpec(steps.filter((_, i) => i % every === 0), 'optimizer step', 'Loss per step')));
  return charts;
}

async function confusionSection(s: RunSummary): Promise<string> {
  const out: string[] = [];
  const majority = s.baselines?.find((b) => b.confusion);
  for (const [split, matrix] of Object.entries(s.confusion ?? {})) {
    if (!matrix) continue;
    const labels = matrix.map((_, i) => s.labels?.[i] ?? String(i));
    const chart = await renderSvg(confusionSpec(matrix, labels, `Confusion matrix, ${split} split`));
    const baseline = majority?.confusion?.[split as keyof typeof majority.confusion];
    const beside = baseline ? `<div><p>baseline: ${escapeHtml(majority?.name ?? '')}</p>${confusionTable(baseline, labels)}</div>` : '';
    out.push(`<div class="row"><figure>${chart}</figure><div><p>model</p>${confusionTable(matrix, labels)}</div>${beside}</div>`);
  }
  return out.length ? `<h2>Confusion matrix</h2>\n${out.join('\n')}` : '';
}

const figure = (svg: string, caption?: string): string => `<figure>${svg}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;

/**
 * The run's report as one self-contained HTML page (inline CSS and SVG, nothing fetched):
 * status, the metrics of the model beside the baselines, generated samples, loss curves,
 * forecasts against the truth (forecasting), the confusion matrix (classification), gradient
 * flow through time, and the definition as run. Plots are Vega-Lite specs rendered to SVG in
 * Node (no browser).
 */
export async function renderReport(data: ReportData): Promise<string> {
  const s = data.summary;
  const description = (data.definition as { description?: unknown } | undefined)?.description;
  const facts: [string, string | number | undefined][] = [
    ['status', s.status],
    ['task', s.task],
    ['model', modelLabel(data.definition) ?? s.model],
    ['parameters', s.parameters],
    ['samples', s.samples ? Object.entries(s.samples).map(([k, v]) => `${k} ${v}`).join(', ') : undefined],
    ['rows skipped', s.sources ? s.sources.reduce((n, r) => n + r.skipped, 0) : undefined],
    ['epochs', s.epochs],
    ['optimizer steps', s.steps],
    ['best epoch', s.best ? `${s.best.epoch} (${s.best.monitor} ${formatMetric(s.best.value)})` : undefined],
    ['stopped early', s.stoppedEarly === undefined ? undefined : s.stoppedEarly ? 'yes' : 'no'],
    ['seed', s.seed],
    ['started', s.started],
    ['seconds', s.seconds === undefined ? undefined : s.seconds.toFixed(1)],
  ];
  const losses = await lossCharts(data);
  const d = data.diagnostics;
  const series =
    d?.series && d.series.points.length
      ? figure(await renderSvg(seriesSpec(d.series)), `${escapeHtml(d.series.column)} in the original units; each point is a forecast made ${d.series.ahead} step${d.series.ahead === 1 ? '' : 's'} before its month, from the window that ends there. Baselines are measured at the same points.`)
      : '';
  const g = d?.gradientFlow;
  const flow = g
    ? figure(
        await renderSvg(gradientFlowSpec(g)),
        `Computed at the end of training on one ${g.split} batch (${g.batchSize} sequences of ${g.steps} steps); L = ${escapeHtml(g.loss)}. Where the curve falls towards t = 0, the gradient vanishes on its way back through time.`,
      )
    : '';
  const notes = (d?.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(s.name)} — loopflow run</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f4f4f4}tr.model th,tr.model td{font-weight:bold}pre{background:#f7f7f7;padding:1em;overflow:auto}.error{color:#a00}.note{color:#666}figure{margin:1em 0}figcaption{color:#666;font-size:.9em}.row{display:flex;gap:1.5em;align-items:flex-start}.row figure{margin:0}ol.samples{columns:4;font-family:ui-monospace,monospace}ul.comparison li{margin:.3em 0}</style>
</head><body>
<h1>${escapeHtml(s.name)}</h1>
${typeof description === 'string' ? `<p>${escapeHtml(description)}</p>` : ''}
${s.error ? `<p class="error">${escapeHtml(s.error.message)}</p>` : ''}
<table>${facts.filter(([, v]) => v !== undefined).map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(String(v))}</td></tr>`).join('')}</table>
<h2>Metrics</h2>
${metricsTables(s)}
${samplesSection(s)}
${sourcesSection(s)}
<h2>Loss</h2>
${losses.length ? losses.map((c) => figure(c)).join('\n') : '<p>No training steps recorded.</p>'}
${series ? `<h2>Predictions against the truth</h2>\n${series}` : ''}
${await confusionSection(s)}
${flow ? `<h2>Gradient flow</h2>\n${flow}` : ''}
${notes}
<h2>Definition</h2>
<pre>${escapeHtml(JSON.stringify(data.definition, null, 2))}</pre>
</body></html>
`;
}
