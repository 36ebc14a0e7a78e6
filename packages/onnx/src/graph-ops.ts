import { GraphBuilder } from './proto/graph';
import { weightData } from './weights';

/** Linear (torch.nn.Linear) parameters as plain data: `weight` `[out, in]`, `bias` `[out]` or null. */
export interface LinearLike {
  weight: unknown;
  bias: unknown;
  config?: { inFeatures?: number; outFeatures?: number };
}

/**
 * `y = x W^T + b` over the last dimension of `x` (any rank): MatMul with `W^T` `[in, out]`
 * stored as a constant, then Add.
 */
export function addLinear(g: GraphBuilder, x: string, module: LinearLike, inFeatures: number, outFeatures: number, where: string): string {
  const weight = weightData(`${where}.weight`, module?.weight, [outFeatures, inFeatures]);
  const transposed = new Float32Array(inFeatures * outFeatures);
  for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) transposed[i * outFeatures + o] = weight[o * inFeatures + i];
  return addProjection(g, x, transposed, module?.bias === null || module?.bias === undefined ? null : weightData(`${where}.bias`, module.bias, [outFeatures]), inFeatures, outFeatures, where);
}

/** `y = x W + b` with `W` given as `[in, out]` (row-major) and `b` `[out]` or null. */
export function addProjection(g: GraphBuilder, x: string, weightInOut: Float32Array, bias: Float32Array | null, inFeatures: number, outFeatures: number, where: string): string {
  const hint = where.replace(/[^0-9a-z_]/gi, '_');
  const product = g.op1('MatMul', [x, g.floats(`${hint}_W`, weightInOut, [inFeatures, outFeatures])], {}, `${hint}_matmul`);
  return bias ? g.op1('Add', [product, g.floats(`${hint}_b`, bias, [outFeatures])], {}, hint) : product;
}

/** Rows of a table `[rows, width]` looked up by int64 ids of any shape: `[...ids, width]`. */
export function addGather(g: GraphBuilder, ids: string, table: unknown, rows: number, width: number, where: string): string {
  const data = weightData(where, table, [rows, width]);
  return g.op1('Gather', [g.floats(where.replace(/[^0-9a-z_]/gi, '_'), data, [rows, width]), ids], { axis: { int: 0 } }, 'embedded');
}

/** One-hot vectors of int64 ids: `[...ids, depth]` float32 (loopflow's `oneHot`). */
export function addOneHot(g: GraphBuilder, ids: string, depth: number): string {
  return g.op1('OneHot', [ids, g.int64s('depth', [depth], []), g.floats('one_hot_values', [0, 1], [2])], { axis: { int: -1 } }, 'one_hot');
}

/** The size of dimension `axis` of `x` as a 1-D int64 tensor `[1]`. */
export function addDimension(g: GraphBuilder, x: string, axis: number, hint: string): string {
  const shape = g.op1('Shape', [x], {}, `${hint}_shape`);
  return g.op1('Gather', [shape, g.int64s(`axis${axis}`, [axis])], { axis: { int: 0 } }, hint); // [1]
}

/**
 * A float32 mask `[B, T]` of real steps (1) and padding (0) from `sequence_lens` `[B]` int32 and
 * the number of steps `T` (a `[1]` int64 value).
 */
export function addStepMask(g: GraphBuilder, sequenceLens: string, steps: string, type: 'float32' | 'bool'): string {
  const t = g.op1('Range', [g.scalar(0, 'int64'), g.op1('Squeeze', [steps, g.int64s('axes0', [0])]), g.scalar(1, 'int64')], {}, 'steps'); // [T]
  const lens = g.op1('Unsqueeze', [g.op1('Cast', [sequenceLens], { to: { int: 7 } }, 'lens64'), g.int64s('axes1', [1])], {}, 'lens_b1'); // [B, 1]
  const real = g.op1('Less', [t, lens], {}, 'real_step'); // [B, T] bool
  return type === 'bool' ? real : g.op1('Cast', [real], { to: { int: 1 } }, 'step_mask');
}

/** `[B, H * Ft]` -> `[H, B, Ft]` (the layout of a forecast, loopflow's `toForecastLayout`). */
export function addForecastLayout(g: GraphBuilder, y: string, horizon: number, targetFeatures: number): string {
  const rows = g.op1('Reshape', [y, g.int64s('forecast_shape', [0, horizon, targetFeatures])], {}, 'forecast_bhf');
  return g.op1('Transpose', [rows], { perm: { ints: [1, 0, 2] } }, 'forecast');
}
