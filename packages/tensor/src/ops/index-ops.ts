import { Tensor } from '../tensor';
import { allocate, zeros } from '../create';
import { record } from '../autograd';
import { LoopflowError, ShapeError, fmtShape } from '../errors';
import { broadcastShapes, sizeOf } from '../shape';
import { checkDtypes, expandData, sumToShape } from './util';

/** Integer indices: a plain array, an Int32Array, or a tensor holding whole numbers. */
export type Indices = readonly number[] | Int32Array | Tensor;

function indexList(op: string, indices: Indices, limit: number): { values: ArrayLike<number>; shape: number[] } {
  const values: ArrayLike<number> = indices instanceof Tensor ? indices.data : indices;
  const shape = indices instanceof Tensor ? indices.shape.slice() : [values.length];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new LoopflowError('INDEX_OUT_OF_RANGE', `${op}: index ${v} at position ${i} is out of range; expected an integer in [0, ${limit - 1}]`);
    }
  }
  return { values, shape };
}

/**
 * Rows of `table` at `indices` (embedding lookup): `[V, D]` with indices of shape `[...S]`
 * gives `[...S, D]`. The gradient scatter-adds into the rows used (repeated indices add up).
 *
 * @example gather(embedding, tokenIds) // [V, D], [B, T] -> [B, T, D]
 */
export function gather(table: Tensor, indices: Indices): Tensor {
  if (table.ndim < 1) throw new ShapeError(`gather: table of shape ${fmtShape(table.shape)}; expected at least 1 dimension`);
  const rows = table.shape[0];
  const { values, shape } = indexList('gather', indices, rows);
  const rowSize = sizeOf(table.shape.slice(1));
  const out = allocate(table.dtype, values.length * rowSize);
  for (let i = 0; i < values.length; i++) {
    const src = values[i] * rowSize;
    for (let j = 0; j < rowSize; j++) out[i * rowSize + j] = table.data[src + j];
  }
  const idx = Int32Array.from(values as ArrayLike<number>);
  return record('gather', [table], new Tensor(out, [...shape, ...table.shape.slice(1)]), (g) => {
    const gt = zeros(table.shape, { dtype: table.dtype });
    for (let i = 0; i < idx.length; i++) {
      const dst = idx[i] * rowSize;
      for (let j = 0; j < rowSize; j++) gt.data[dst + j] += g.data[i * rowSize + j];
    }
    return [gt];
  });
}

/**
 * One-hot encoding: indices of shape `[...S]` give `[...S, depth]` with a 1 at each index
 * (no gradient).
 */
export function oneHot(indices: Indices, depth: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const { values, shape } = indexList('oneHot', indices, depth);
  const out = allocate(dtype, values.length * depth);
  for (let i = 0; i < values.length; i++) out[i * depth + values[i]] = 1;
  return new Tensor(out, [...shape, depth]);
}

/**
 * Elementwise choice: `cond ? a : b`, with broadcasting; `cond` is a tensor whose nonzero
 * elements mean true (no gradient flows into it).
 */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const dtype = checkDtypes('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, a.shape), b.shape);
  const c = expandData(cond, shape);
  const ad = expandData(a, shape);
  const bd = expandData(b, shape);
  const out = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = c[i] !== 0 ? ad[i] : bd[i];
  return record('where', [a, b], new Tensor(out, shape), (g) => {
    const ga = allocate(dtype, g.size);
    const gb = allocate(dtype, g.size);
    for (let i = 0; i < g.size; i++) {
      if (c[i] !== 0) ga[i] = g.data[i];
      else gb[i] = g.data[i];
    }
    return [sumToShape(new Tensor(ga, shape), a.shape), sumToShape(new Tensor(gb, shape), b.shape)];
  });
}

/**
 * `a` with `value` wherever `mask` (broadcast to a's shape) is nonzero; the gradient is zero
 * there. @example maskedFill(scores, causalMask, -Infinity)
 */
export function maskedFill(a: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes('maskedFill', a.shape, mask.shape);
  if (shape.length !== a.ndim || shape.some((d, i) => d !== a.shape[i])) {
    throw new ShapeError(`maskedFill: mask of shape ${fmtShape(mask.shape)} must broadcast to the input's shape ${fmtShape(a.shape)}`);
  }
  const m = expandData(mask, a.shape);
  const out = allocate(a.dtype, a.size);
  for (let i = 0; i < out.length; i++) out[i] = m[i] !== 0 ? value : a.data[i];
  return record('maskedFill', [a], new Tensor(out, a.shape), (g) => {
    const ga = allocate(a.dtype, a.size);
    for (let i = 0; i < ga.length; i++) ga[i] = m[i] !== 0 ? 0 : g.data[i];
    return [new Tensor(ga, a.shape)];
  });
}
