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

/** A line chart of losses by series (training, validation...). */
export function lossChartSpec(points: readonly LossPoint[], xTitle: string, title: string): VegaLiteSpec {
  return {
    title,
    width: 560,
    height: 240,
    data: { values: points },
    mark: { type: 'line', point: points.length <= 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}
