/**
 * Vega-Lite specs of the report's plots beyond the loss curves: gradient flow through time,
 * forecasts against the truth, and the confusion matrix. Plain data in, a spec out; rendered
 * to SVG by `renderSvg`.
 */
import type { GradientFlowDiagnostics, SeriesComparison } from '../diagnostics/diagnostics';
import type { VegaLiteSpec } from './svg-chart';

const WIDTH = 640;

/**
 * Gradient flow: `||dL/dh_t||` by step t, one line per layer and direction, on a log scale
 * (vanishing gradients fall by orders of magnitude towards t = 0). Zero norms (steps the
 * loss does not reach) cannot be drawn on a log scale and are left out.
 */
export function gradientFlowSpec(flow: GradientFlowDiagnostics): VegaLiteSpec {
  const many = flow.entries.length > 1;
  const values = flow.entries.flatMap((e) =>
    e.norms.map((norm, t) => ({ t, norm, series: many || e.direction === 'backward' ? `layer ${e.layer} ${e.direction}` : `layer ${e.layer}` })).filter((p) => p.norm > 0 && Number.isFinite(p.norm)),
  );
  return {
    title: 'Gradient flow through time: ||dL/dh_t||',
    width: WIDTH,
    height: 260,
    data: { values },
    mark: { type: 'line', point: flow.steps <= 60 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time step t', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'norm', type: 'quantitative', title: '||dL/dh_t|| (log scale)', scale: { type: 'log' }, axis: { format: '.0e', labelOverlap: 'greedy' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/**
 * Forecasts against the truth on the test split, in the original units: the series, the
 * model and each baseline, by month (or row) of the target.
 */
export function seriesSpec(series: SeriesComparison): VegaLiteSpec {
  const temporal = series.points.every((p) => p.label !== undefined && !Number.isNaN(Date.parse(p.label)));
  const values = series.points.flatMap((p) => {
    const x = temporal ? p.label : p.row;
    return [
      { x, value: p.actual, series: 'actual' },
      { x, value: p.model, series: 'model' },
      ...Object.entries(p.baselines).map(([name, value]) => ({ x, value, series: name })),
    ];
  });
  const order = ['actual', 'model', ...Object.keys(series.points[0]?.baselines ?? {})];
  return {
    title: `Forecasts ${series.ahead} step${series.ahead === 1 ? '' : 's'} ahead against the truth (${series.split} split)`,
    width: WIDTH,
    height: 300,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.6 },
    encoding: {
      x: temporal ? { field: 'x', type: 'temporal', title: 'target month', axis: { format: '%Y', tickCount: 'year' } } : { field: 'x', type: 'quantitative', title: 'target row of the series' },
      y: { field: 'value', type: 'quantitative', title: series.column, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, sort: order, legend: { labelLimit: 280 }, scale: { domain: order, range: ['#222222', '#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#8c564b'].slice(0, order.length) } },
      strokeDash: { field: 'series', type: 'nominal', title: null, sort: order, scale: { domain: order, range: order.map((name) => (name === 'actual' || name === 'model' ? [1, 0] : [5, 3])) } },
    },
  };
}

/** The confusion matrix as a heat map with the counts written in the cells. */
export function confusionSpec(matrix: readonly (readonly number[])[], labels: readonly string[], title: string): VegaLiteSpec {
  const values = matrix.flatMap((row, a) => row.map((count, p) => ({ actual: labels[a] ?? String(a), predicted: labels[p] ?? String(p), count })));
  const size = Math.min(260, 80 * matrix.length);
  const max = values.reduce((m, v) => Math.max(m, v.count), 1);
  return {
    title,
    width: size,
    height: size,
    data: { values },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', title: 'predicted', sort: labels, axis: { labelAngle: 0 } },
      y: { field: 'actual', type: 'ordinal', title: 'actual', sort: labels },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', title: 'count', scale: { scheme: 'blues' } } } },
      { mark: { type: 'text', fontSize: 16 }, encoding: { text: { field: 'count', type: 'quantitative' }, color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' } } },
    ],
  };
}
