/** A Vega-Lite spec as plain data. */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * Renders a Vega-Lite spec to an SVG string in Node (no browser, no canvas): vega-lite
 * compiles it to Vega, a headless Vega view renders it.
 *
 * @example await renderSvg({ data: { values }, mark: 'line', encoding: { ... } })
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Loaded on use: vega is large and only reports need it.
  const vega = require('vega') as typeof import('vega');
  const vegaLite = require('vega-lite') as typeof import('vega-lite');
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One point of a loss curve. */
export interface LossPoint {
  /** Epoch (fractional for steps inside an epoch) or step. */
  x: number;
  loss: number;
  series: string;
}

/**
 * A line chart of losses by series (training, validation...). Many noisy points (per step)
 * are drawn pale, with their running mean over 5% of the points on top.
 */
export function lossChartSpec(points: readonly LossPoint[], xTitle: string, title: string): VegaLiteSpec {
  const noisy = points.length > 200;
  const half = Math.round(points.length / 40);
  const series = [...new Set(points.map((p) => p.series))];
  const domain = noisy ? [...series, ...series.map((name) => `${name}, running mean`)] : series;
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
  const range = noisy ? [...series.map(() => '#aec7e8'), ...series.map((_, i) => palette[i % palette.length])] : series.map((_, i) => palette[i % palette.length]);
  return {
    title,
    width: 640,
    height: 240,
    data: { values: points },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, ...(xTitle === 'epoch' ? { axis: { tickMinStep: 1, format: 'd' } } : {}) },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { labelLimit: 280 } },
    },
    layer: [
      { mark: { type: 'line', point: points.length <= 60 } },
      ...(noisy
        ? [
            {
              transform: [{ window: [{ op: 'mean', field: 'loss', as: 'smoothed' }], frame: [-half, half], groupby: ['series'] }, { calculate: "datum.series + ', running mean'", as: 'series' }],
              mark: { type: 'line', strokeWidth: 2 },
              encoding: { y: { field: 'smoothed', type: 'quantitative' } },
            },
          ]
        : []),
    ],
  };
}
