import { MODEL_LABELS, TASK_LABELS } from '../names';
import type { CompareReport, SummaryRow } from './types';

/** A table as plain strings, rendered to Markdown or HTML. */
export interface Table {
  headers: string[];
  rows: string[][];
  /** Columns aligned right (numbers). */
  numeric?: boolean[];
}

const MB = 1024 * 1024;

/** A number in a table: 4 significant digits, scientific below 1e-3. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/** Bytes as megabytes with one decimal. */
export function formatMB(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined || !Number.isFinite(bytes) ? '—' : (bytes / MB).toFixed(1);
}

function settingLabel(row: Pick<SummaryRow, 'setting' | 'task'>): string {
  if (row.task === 'char-lm') return 'names';
  const short: Record<string, string> = { length: 'T', delay: 'delay', 'max distance': 'distance ≤', 'look-back': 'look-back' };
  return `${short[row.setting.name] ?? row.setting.name} ${row.setting.value}`;
}

/**
 * The summary table: for each task setting and model, the final test metric (mean ± sd over
 * seeds), seeds solved, the median steps until solved, time per step and peak memory.
 * Params: the exact count, with the hidden size H (recurrent) or dModel d (transformer).
 */
export function summaryTable(report: Pick<CompareReport, 'summary'>): Table {
  return {
    headers: ['Task', 'Setting', 'Model', 'Params', 'Test metric (mean ± sd)', 'Solved', 'Steps to solve', 'ms/step', 'Peak RSS MB', 'Heap peak MB'],
    numeric: [false, false, false, true, true, true, true, true, true, true],
    rows: report.summary.map((r) => [
      TASK_LABELS[r.task].split(' (')[0],
      settingLabel(r),
      MODEL_LABELS[r.model],
      `${r.parameters} (${r.model === 'transformer' ? 'd' : 'H'} ${r.width})`,
      `${r.metric} ${formatNumber(r.testMean)} ± ${formatNumber(r.testSd, 2)}`,
      `${r.solved}/${r.seeds}${r.diverged > 0 ? ` (${r.diverged} diverged)` : ''}`,
      r.stepsToSolveMedian === null ? `— (> ${Math.max(...r.steps)})` : formatNumber(r.stepsToSolveMedian),
      formatNumber(r.msPerStep, 3),
      formatMB(r.rssPeakBytes),
      formatMB(r.heapPeakBytes),
    ]),
  };
}

/** Accuracy by distance (long-context): one row per model, one column per distance. */
export function groupTable(report: Pick<CompareReport, 'groups'>, taskId: string): Table | null {
  const rows = report.groups.filter((g) => g.taskId === taskId);
  if (rows.length === 0) return null;
  const groups = [...new Set(rows.map((g) => g.group))].sort((a, b) => a - b);
  const models = [...new Set(rows.map((g) => g.model))];
  return {
    headers: ['Model', ...groups.map((g) => `d=${g}`)],
    numeric: [false, ...groups.map(() => true)],
    rows: models.map((m) => [MODEL_LABELS[m], ...groups.map((g) => formatNumber(rows.find((r) => r.model === m && r.group === g)?.mean, 3))]),
  };
}

/** Time and memory per training step by length, with the fitted exponents. */
export function scalingTable(report: Pick<CompareReport, 'scaling'>): Table | null {
  if (report.scaling.length === 0) return null;
  const lengths = [...new Set(report.scaling.flatMap((s) => s.points.map((p) => p.length)))].sort((a, b) => a - b);
  return {
    headers: ['Model', 'Params', ...lengths.map((t) => `T=${t} ms / MB`), 'time exponent (fit; last)', 'memory exponent (fit; last)'],
    numeric: [false, true, ...lengths.map(() => true), true, true],
    rows: report.scaling.map((s) => [
      MODEL_LABELS[s.model],
      String(s.parameters),
      ...lengths.map((t) => {
        const p = s.points.find((q) => q.length === t);
        return p ? `${formatNumber(p.msPerStep, 3)} / ${formatMB(p.graphBytes)}` : '—';
      }),
      `${formatNumber(s.timeFit.exponent, 3)}; ${formatNumber(s.timeLastExponent, 3)}`,
      `${formatNumber(s.memoryFit.exponent, 3)}; ${formatNumber(s.memoryLastExponent, 3)}`,
    ]),
  };
}

/** Peak RSS of each scaling worker by length (the process's peak so far; lengths run in increasing order). */
export function scalingRssTable(report: Pick<CompareReport, 'scaling'>): Table | null {
  if (report.scaling.length === 0) return null;
  const lengths = [...new Set(report.scaling.flatMap((s) => s.points.map((p) => p.length)))].sort((a, b) => a - b);
  return {
    headers: ['Model', ...lengths.map((t) => `T=${t}`)],
    numeric: [false, ...lengths.map(() => true)],
    rows: report.scaling.map((s) => [MODEL_LABELS[s.model], ...lengths.map((t) => formatMB(s.points.find((q) => q.length === t)?.rssPeakBytes))]),
  };
}

/** The gradient-flow summary: how much of the last step's gradient reaches step 0. */
export function flowTable(report: Pick<CompareReport, 'gradientFlow'>): Table | null {
  if (report.gradientFlow.length === 0) return null;
  return {
    headers: ['Model', 'Stage', 'Task', 'T', '‖dL/dh_0‖ / ‖dL/dh_T-1‖ (layer 0)'],
    numeric: [false, false, false, true, true],
    rows: report.gradientFlow.map((c) => [MODEL_LABELS[c.model], c.stage === 'init' ? 'at init' : `trained (seed ${c.seed})`, c.taskId, String(c.length), formatNumber(c.ratioFirstToLast, 3)]),
  };
}

/** The published findings against this run. */
export function comparisonTable(report: Pick<CompareReport, 'published'>): Table {
  return {
    headers: ['Finding', 'Source', 'Verdict', 'Measured'],
    rows: report.published.map((c) => [c.claim, c.source, c.verdict, c.measured]),
  };
}

/** Baselines and thresholds of each task setting. */
export function taskTable(report: Pick<CompareReport, 'tasks'>): Table {
  return {
    headers: ['Task', 'Metric', 'Solved when', 'Baselines'],
    rows: report.tasks.map((t) => [
      t.taskId,
      `${t.metric.name} (${t.metric.better} is better)`,
      t.metric.solvedRule,
      t.metric.baselines.map((b) => `${b.name} ${formatNumber(b.value)}`).join('; '),
    ]),
  };
}
