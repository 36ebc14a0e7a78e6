import * as vega from 'vega';
import * as vl from 'vega-lite';
import { MODEL_KINDS, MODEL_LABELS } from '../names';
import type { CompareReport } from './types';

/** A plot of the report: its title, the Vega-Lite spec, and the SVG it renders to. */
export interface Plot {
  id: string;
  title: string;
  spec: vl.TopLevelSpec;
}

const MODEL_DOMAIN = MODEL_KINDS.map((k) => MODEL_LABELS[k]);
const colour = { field: 'model', type: 'nominal', title: 'model', scale: { domain: MODEL_DOMAIN } } as const;

/** Keeps at most `n` evenly spaced items (always the first and the last). */
function thin<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]);
  return out;
}

/** Validation metric against steps, per model and seed, one panel per setting. */
function learningCurvePlot(report: CompareReport, task: string): Plot | null {
  const tasks = report.tasks.filter((t) => t.task === task);
  const runs = report.runs.filter((r) => r.task === task && r.curve.length > 0);
  if (tasks.length === 0 || runs.length === 0) return null;
  const metric = tasks[0].metric;
  const values = runs.flatMap((r) => r.curve.map((p) => ({ setting: `${r.setting.name} ${r.setting.value}`, settingValue: r.setting.value, model: MODEL_LABELS[r.model], seed: r.seed, step: p.step, valid: Math.max(p.valid, 1e-6) })));
  const log = metric.name === 'MSE';
  return {
    id: `curve-${task}`,
    title: `${tasks[0].taskId.split('/')[0]}: validation ${metric.name} against training steps (dashed: solved threshold)`,
    spec: {
      data: { values },
      facet: { column: { field: 'setting', type: 'nominal', title: null, sort: { field: 'settingValue', op: 'min' } } },
      spec: {
        width: 260,
        height: 180,
        layer: [
          {
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'step', type: 'quantitative', title: 'training step' },
              y: { field: 'valid', type: 'quantitative', title: `validation ${metric.name}`, scale: log ? { type: 'log' } : { zero: false } },
              color: colour,
              detail: { field: 'seed', type: 'nominal' },
            },
          },
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#555' }, encoding: { y: { datum: metric.solvedAt } } },
        ],
      },
    } as vl.TopLevelSpec,
  };
}

/** Long-context accuracy by distance, mean over seeds. */
function distancePlot(report: CompareReport): Plot | null {
  const values = report.groups.filter((g) => g.taskId.startsWith('long-context')).map((g) => ({ model: MODEL_LABELS[g.model], distance: g.group, accuracy: g.mean }));
  if (values.length === 0) return null;
  return {
    id: 'accuracy-by-distance',
    title: 'Long-range context: test accuracy by distance between subject and blank (chance 0.125)',
    spec: {
      data: { values },
      width: 420,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'distance', type: 'quantitative', title: 'distance (words)', scale: { type: 'log', base: 2 } },
        y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] } },
        color: colour,
      },
    },
  };
}

/** Time or memory per training step against T, log-log, with each model's fitted exponent in the legend. */
function scalingPlot(report: CompareReport, what: 'time' | 'memory'): Plot | null {
  if (report.scaling.length === 0) return null;
  const values = report.scaling.flatMap((s) =>
    s.points.map((p) => ({ model: MODEL_LABELS[s.model], T: p.length, y: what === 'time' ? p.msPerStep : Math.max(p.graphBytes / (1024 * 1024), 1e-3) })),
  );
  // Legend labels "LSTM (k = 1.02)": a chain of conditionals in Vega's expression language.
  const labelExpr = report.scaling.reduceRight((rest, s) => {
    const label = MODEL_LABELS[s.model];
    const k = what === 'time' ? s.timeFit.exponent : s.memoryFit.exponent;
    return `datum.label === ${JSON.stringify(label)} ? ${JSON.stringify(`${label} (k = ${k.toFixed(2)})`)} : ${rest}`;
  }, 'datum.label');
  return {
    id: `scaling-${what}`,
    title: what === 'time'
      ? 'Time per training step (forward + backward + Adam) against sequence length, log-log; k = exponent fitted over all lengths'
      : 'Memory held by one training step (tensors the autograd graph keeps for backward) against sequence length, log-log; k = fitted exponent',
    spec: {
      data: { values },
      width: 420,
      height: 260,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'T', type: 'quantitative', title: 'sequence length T', scale: { type: 'log', base: 2 } },
        y: { field: 'y', type: 'quantitative', title: what === 'time' ? 'ms per step' : 'MB per step', scale: { type: 'log' } },
        color: { ...colour, title: 'model (fitted exponent)', legend: { labelExpr, labelLimit: 300, titleLimit: 300 } },
      },
    },
  };
}

/** ||dL/dh_t|| relative to the last step, log scale, per recurrent model (solid: at init; dashed: trained). */
function flowPlot(report: CompareReport): Plot | null {
  if (report.gradientFlow.length === 0) return null;
  const values = report.gradientFlow.flatMap((c) => {
    const norms = c.layers[0].norms;
    const last = norms[norms.length - 1];
    const points = norms.map((n, t) => ({ t, ratio: n / last })).filter((p) => p.ratio > 0 && Number.isFinite(p.ratio));
    return thin(points, 250).map((p) => ({ model: MODEL_LABELS[c.model], stage: c.stage === 'init' ? 'at init' : 'trained', curve: `${c.model}/${c.stage}/${c.taskId}/${c.seed}`, t: p.t, ratio: Math.max(p.ratio, 1e-30) }));
  });
  return {
    id: 'gradient-flow',
    title: 'Gradient flow: ‖dL/dh_t‖ / ‖dL/dh_T-1‖ of the first layer, loss after the last step of an adding-problem batch (log scale; values below 1e-30 drawn at 1e-30)',
    spec: {
      data: { values },
      width: 520,
      height: 260,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time step t' },
        y: { field: 'ratio', type: 'quantitative', title: 'relative gradient norm', scale: { type: 'log' } },
        color: colour,
        strokeDash: { field: 'stage', type: 'nominal', title: 'stage' },
        detail: { field: 'curve', type: 'nominal' },
      },
    },
  };
}

/**
 * The report's plots as Vega-Lite specs: learning curves per task, accuracy by distance,
 * time and memory scaling, gradient flow.
 */
export function reportPlots(report: CompareReport): Plot[] {
  const plots = [
    learningCurvePlot(report, 'adding'),
    learningCurvePlot(report, 'copy'),
    distancePlot(report),
    learningCurvePlot(report, 'long-context'),
    learningCurvePlot(report, 'char-lm'),
    learningCurvePlot(report, 'co2'),
    scalingPlot(report, 'time'),
    scalingPlot(report, 'memory'),
    flowPlot(report),
  ];
  return plots.filter((p): p is Plot => p !== null);
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no browser, no canvas).
 *
 * @example const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point', encoding: { x: { field: 'x', type: 'quantitative' } } });
 */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
