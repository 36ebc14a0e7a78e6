import * as fs from 'fs';
import * as path from 'path';
import type { RunSummary } from '../run/summary';
import { readMetricsLog } from '../run/run-folder';
import { LossPoint, lossChartSpec, renderSvg } from './svg-chart';

/** What a report is made of, read from a run folder. */
export interface ReportData {
  summary: RunSummary;
  /** The definition as run. */
  definition: unknown;
  /** The lines of metrics.jsonl. */
  events: Record<string, unknown>[];
}

/** Reads a run folder's summary.json, definition.json and metrics.jsonl. */
export function readReportData(runDir: string): ReportData {
  const read = (file: string): unknown => (fs.existsSync(path.join(runDir, file)) ? JSON.parse(fs.readFileSync(path.join(runDir, file), 'utf8')) : undefined);
  return { summary: read('summary.json') as RunSummary, definition: read('definition.json'), events: readMetricsLog(path.join(runDir, 'metrics.jsonl')) };
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A number for a table: 4 significant digits, integers as they are. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(1) : Number(value.toPrecision(4)).toString();
}

function metricsTable(summary: RunSummary): string {
  const metrics = summary.metrics ?? {};
  const splits = Object.keys(metrics) as (keyof typeof metrics)[];
  if (splits.length === 0) return '<p>No evaluation.</p>';
  const names = [...new Set(splits.flatMap((s) => Object.keys(metrics[s] ?? {})))];
  const head = `<tr><th>split</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;
  const rows = splits.map((s) => `<tr><td>${s}</td>${names.map((n) => `<td>${metrics[s]?.[n] === undefined ? '' : formatMetric(metrics[s]?.[n] as number)}</td>`).join('')}</tr>`);
  return `<table>${head}${rows.join('')}</table>`;
}

function confusionTables(summary: RunSummary): string {
  const out: string[] = [];
  for (const [split, matrix] of Object.entries(summary.confusion ?? {})) {
    if (!matrix) continue;
    const labels = matrix.map((_, i) => summary.labels?.[i] ?? String(i));
    const head = `<tr><th>actual \\ predicted</th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr>`;
    const rows = matrix.map((row, i) => `<tr><th>${escapeHtml(labels[i])}</th>${row.map((n) => `<td>${n}</td>`).join('')}</tr>`);
    out.push(`<h3>Confusion matrix (${split})</h3><table>${head}${rows.join('')}</table>`);
  }
  return out.join('');
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

/**
 * The run's report as one self-contained HTML page: status, final metrics, loss curves
 * (Vega-Lite rendered to inline SVG), the confusion matrix (classification) and the
 * definition as run.
 */
export async function renderReport(data: ReportData): Promise<string> {
  const s = data.summary;
  const facts: [string, string | number | undefined][] = [
    ['status', s.status],
    ['task', s.task],
    ['model', s.model],
    ['parameters', s.parameters],
    ['epochs', s.epochs],
    ['optimizer steps', s.steps],
    ['best epoch', s.best ? `${s.best.epoch} (${s.best.monitor} ${formatMetric(s.best.value)})` : undefined],
    ['stopped early', s.stoppedEarly === undefined ? undefined : s.stoppedEarly ? 'yes' : 'no'],
    ['seed', s.seed],
    ['started', s.started],
    ['seconds', s.seconds === undefined ? undefined : s.seconds.toFixed(1)],
  ];
  const charts = await lossCharts(data);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(s.name)} — loopflow run</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f4f4f4}pre{background:#f7f7f7;padding:1em;overflow:auto}.error{color:#a00}</style>
</head><body>
<h1>${escapeHtml(s.name)}</h1>
${s.error ? `<p class="error">${escapeHtml(s.error.message)}</p>` : ''}
<table>${facts.filter(([, v]) => v !== undefined).map(([k, v]) => `<tr><th>${k}</th><td>${escapeHtml(String(v))}</td></tr>`).join('')}</table>
<h2>Metrics</h2>
${metricsTable(s)}
${confusionTables(s)}
<h2>Loss</h2>
${charts.length ? charts.map((c) => `<figure>${c}</figure>`).join('\n') : '<p>No training steps recorded.</p>'}
<h2>Definition</h2>
<pre>${escapeHtml(JSON.stringify(data.definition, null, 2))}</pre>
</body></html>
`;
}
