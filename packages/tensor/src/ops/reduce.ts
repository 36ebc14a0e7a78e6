import { Tensor } from '../tensor';
import { FloatArray } from '../backend/kernels';
import { allocate } from '../create';
import { getKernels } from '../backend/registry';
import { record } from '../autograd';
import { normAxis, sizeOf } from '../shape';
import { expandData, sumToShape } from './util';
import { reshape } from './shape-ops';
import { add, exp, log, mul, sub } from './elementwise';

/** Axes to reduce: one axis, a list, or all of them (undefined). */
export type Axes = number | readonly number[] | undefined;

function reducedShapes(op: string, shape: readonly number[], axes: Axes): { keep: number[]; drop: number[]; count: number } {
  const nd = shape.length;
  const list = axes === undefined ? shape.map((_, i) => i) : typeof axes === 'number' ? [axes] : axes.slice();
  const set = new Set(list.map((a) => normAxis(op, a, nd)));
  const keep = shape.map((d, i) => (set.has(i) ? 1 : d));
  const drop = shape.filter((_, i) => !set.has(i));
  let count = 1;
  for (const i of set) count *= shape[i];
  return { keep, drop, count };
}

/**
 * Sum over `axes` (all when omitted); `keepDims` keeps reduced dims as size 1.
 * @example sum(x, 1) // [B, T, F] -> [B, F]
 */
export function sum(a: Tensor, axes?: Axes, keepDims = false): Tensor {
  const { keep, drop } = reducedShapes('sum', a.shape, axes);
  const kept = sumToShape(a.detach(), keep);
  const out = new Tensor(kept.data, keepDims ? keep : drop);
  return record('sum', [a], out, (g) => [new Tensor(expandData(reshape(g, keep), a.shape), a.shape)]);
}

/** Mean over `axes` (all when omitted). */
export function mean(a: Tensor, axes?: Axes, keepDims = false): Tensor {
  const { count } = reducedShapes('mean', a.shape, axes);
  return mul(sum(a, axes, keepDims), 1 / count);
}

/** Splits a shape around `axis` into [outer, n, inner] sizes. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/**
 * The largest element along `ax` of every [outer, n, inner] line, and its first position.
 * With `nanWins` a NaN counts as the maximum (and stops the scan); otherwise NaNs are skipped.
 */
function scanMax(a: Tensor, ax: number, nanWins: boolean): { values: FloatArray; arg: Int32Array; outer: number; n: number; inner: number } {
  const [outer, n, inner] = around(a.shape, ax);
  const values = allocate(a.dtype, outer * inner);
  const arg = new Int32Array(outer * inner);
  const d = a.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = -Infinity;
      let bi = 0;
      for (let k = 0; k < n; k++) {
        const v = d[(o * n + k) * inner + i];
        if (v > best || (nanWins && Number.isNaN(v))) {
          best = v;
          bi = k;
          if (Number.isNaN(v)) break;
        }
      }
      values[o * inner + i] = best;
      arg[o * inner + i] = bi;
    }
  }
  return { values, arg, outer, n, inner };
}

/**
 * Maximum along one axis (or over all elements when `axis` is omitted). The gradient goes to
 * the first position holding the maximum.
 */
export function max(a: Tensor, axis?: number, keepDims = false): Tensor {
  if (axis === undefined) {
    const flat = reshape(a, [a.size]);
    const m = max(flat, 0, false);
    return keepDims ? reshape(m, a.shape.map(() => 1)) : m;
  }
  const ax = normAxis('max', axis, a.ndim);
  const { values, arg, outer, n, inner } = scanMax(a, ax, true);
  const keep = a.shape.map((s, i) => (i === ax ? 1 : s));
  const shape = keepDims ? keep : a.shape.filter((_, i) => i !== ax);
  return record('max', [a], new Tensor(values, shape), (g) => {
    const ga = allocate(a.dtype, a.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) ga[(o * n + arg[o * inner + i]) * inner + i] = g.data[o * inner + i];
    }
    return [new Tensor(ga, a.shape)];
  });
}

/** Index of the maximum along an axis (no gradient). Returns a tensor of indices as floats. */
export function argmax(a: Tensor, axis = -1): Tensor {
  const ax = normAxis('argmax', axis, a.ndim);
  const { arg } = scanMax(a, ax, false);
  return new Tensor(allocate(a.dtype, arg.length).map((_, i) => arg[i]), a.shape.filter((_, i) => i !== ax));
}

/**
 * softmax (or log-softmax when `logOut`) along the middle axis of `[outer, n, inner]`: the
 * maxima and shifted inputs in one pass, every exponential in one kernel call (WebAssembly
 * SIMD for float32), then the sums and the outputs.
 */
function softmaxData(a: Tensor, ax: number, logOut: boolean) {
  const [outer, n, inner] = around(a.shape, ax);
  const out = allocate(a.dtype, a.size); // x - max, then e^(x - max), then the result
  const d = a.data;
  const maxima = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, d[base + k * inner]);
      if (m === -Infinity) m = 0; // a row of -Infinity (fully masked): avoid NaN from -inf - -inf
      maxima[o * inner + i] = m;
      for (let k = 0; k < n; k++) out[base + k * inner] = d[base + k * inner] - m;
    }
  }
  getKernels(a.dtype).unary('exp', out, out);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s = 0;
      for (let k = 0; k < n; k++) s += out[base + k * inner];
      if (logOut) {
        const lse = maxima[o * inner + i] + Math.log(s);
        for (let k = 0; k < n; k++) out[base + k * inner] = d[base + k * inner] - lse;
      } else {
        const inv = 1 / s;
        for (let k = 0; k < n; k++) out[base + k * inner] *= inv;
      }
    }
  }
  return out;
}

/** Softmax along `axis` (last by default), stable for large inputs. */
export function softmax(a: Tensor, axis = -1): Tensor {
  const ax = normAxis('softmax', axis, a.ndim);
  const out = new Tensor(softmaxData(a, ax, false), a.shape);
  // dx = y * (g - sum(g * y, axis))
  return record('softmax', [a], out, (g) => [mul(out, sub(g, sum(mul(g, out), ax, true)))]);
}

/** log(softmax(a)) along `axis`, computed stably (log-sum-exp). */
export function logSoftmax(a: Tensor, axis = -1): Tensor {
  const ax = normAxis('logSoftmax', axis, a.ndim);
  const out = new Tensor(softmaxData(a, ax, true), a.shape);
  // dx = g - softmax * sum(g, axis)
  return record('logSoftmax', [a], out, (g) => [sub(g, mul(exp(out), sum(g, ax, true)))]);
}

/** log(sum(exp(a))) along `axis`, computed stably. */
export function logSumExp(a: Tensor, axis = -1, keepDims = false): Tensor {
  const ax = normAxis('logSumExp', axis, a.ndim);
  const m = max(a.detach(), ax, true);
  const shifted = sub(a, m);
  const s = sum(exp(shifted), ax, true);
  const out = add(log(s), m);
  return keepDims ? out : reshape(out, a.shape.filter((_, i) => i !== ax));
}
