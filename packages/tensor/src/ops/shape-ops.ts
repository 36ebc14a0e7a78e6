import { Tensor } from '../tensor';
import { allocate, zeros } from '../create';
import { deferredGrad, isPendingDeferred, record } from '../autograd';
import { ShapeError, fmtShape } from '../errors';
import { broadcastShapes, normAxis, sameShape, sizeOf, stridesOf } from '../shape';
import { checkDtypes, expandData, sumToShape } from './util';

/**
 * The same elements in a new shape (shares storage). One dimension may be -1 (inferred).
 * @example reshape(x, [-1, features]) // [B, T, F] -> [B*T, F]
 */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const target = shape.slice();
  const inferAt = target.indexOf(-1);
  if (inferAt >= 0) {
    const known = sizeOf(target.filter((_, i) => i !== inferAt));
    if (known === 0 || a.size % known !== 0) {
      throw new ShapeError(`reshape: cannot infer -1 in ${fmtShape(shape)} from ${a.size} elements of shape ${fmtShape(a.shape)}`);
    }
    target[inferAt] = a.size / known;
  }
  if (sizeOf(target) !== a.size) {
    throw new ShapeError(`reshape: shape ${fmtShape(a.shape)} (${a.size} elements) cannot become ${fmtShape(shape)} (${sizeOf(target)} elements); the element counts must match`);
  }
  if (sameShape(target, a.shape)) return a;
  return record('reshape', [a], new Tensor(a.data, target), (g) => [reshape(g, a.shape)]);
}

/** Inserts a dimension of size 1 at `axis`. */
export function unsqueeze(a: Tensor, axis: number): Tensor {
  const ax = normAxis('unsqueeze', axis, a.ndim + 1);
  const shape = a.shape.slice();
  shape.splice(ax, 0, 1);
  return reshape(a, shape);
}

/** Removes the dimension `axis`, which must have size 1 (all size-1 dims when omitted). */
export function squeeze(a: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(a, a.shape.filter((d) => d !== 1));
  const ax = normAxis('squeeze', axis, a.ndim);
  if (a.shape[ax] !== 1) throw new ShapeError(`squeeze: dimension ${axis} of ${fmtShape(a.shape)} has size ${a.shape[ax]}; expected 1`);
  return reshape(a, a.shape.filter((_, i) => i !== ax));
}

/** Reorders dimensions: `permute(x, [1, 0, 2])` turns [T, B, F] into [B, T, F]. */
export function permute(a: Tensor, axes: readonly number[]): Tensor {
  const nd = a.ndim;
  const perm = axes.map((x) => normAxis('permute', x, nd));
  if (perm.length !== nd || new Set(perm).size !== nd) {
    throw new ShapeError(`permute: axes [${axes.join(',')}] are not a permutation of the ${nd} dimensions of ${fmtShape(a.shape)}`);
  }
  if (perm.every((p, i) => p === i)) return a;
  const shape = perm.map((p) => a.shape[p]);
  const inStrides = stridesOf(a.shape);
  const srcStrides = perm.map((p) => inStrides[p]);
  const out = allocate(a.dtype, a.size);
  const src = a.data;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = src[off];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += srcStrides[d];
      if (idx[d] < shape[d]) break;
      off -= srcStrides[d] * shape[d];
      idx[d] = 0;
    }
  }
  const inverse = new Array<number>(nd);
  perm.forEach((p, i) => (inverse[p] = i));
  return record('permute', [a], new Tensor(out, shape), (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions (the last two by default). */
export function transpose(a: Tensor, dim0 = -2, dim1 = -1): Tensor {
  const d0 = normAxis('transpose', dim0, a.ndim);
  const d1 = normAxis('transpose', dim1, a.ndim);
  const perm = a.shape.map((_, i) => i);
  perm[d0] = d1;
  perm[d1] = d0;
  return permute(a, perm);
}

/** Broadcasts to a larger shape (a copy); the gradient sums back. */
export function broadcastTo(a: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes('broadcastTo', a.shape, shape);
  if (!sameShape(target, shape)) {
    throw new ShapeError(`broadcastTo: ${fmtShape(a.shape)} cannot broadcast to ${fmtShape(shape)}`);
  }
  if (sameShape(a.shape, shape)) return a;
  const out = new Tensor(expandData(a, shape), shape);
  return record('broadcastTo', [a], out, (g) => [sumToShape(g, a.shape)]);
}

/** Copies a block [outer, len, inner] of `src` at `srcStart` along the middle dim into `dst`. */
function copyBlock(src: ArrayLike<number>, srcN: number, srcStart: number, dst: { [i: number]: number }, dstN: number, dstStart: number, outer: number, len: number, inner: number): void {
  const run = len * inner;
  for (let o = 0; o < outer; o++) {
    const s = (o * srcN + srcStart) * inner;
    const d = (o * dstN + dstStart) * inner;
    for (let j = 0; j < run; j++) dst[d + j] = src[s + j];
  }
}

/** Joins tensors along an existing axis. All other dims must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  const first = tensors[0];
  const dtype = checkDtypes('concat', ...tensors);
  const ax = normAxis('concat', axis, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${tensors.map((x) => fmtShape(x.shape)).join(', ')} differ outside axis ${ax}; expected equal sizes in every other dimension`);
    }
  }
  const total = tensors.reduce((s, t) => s + t.shape[ax], 0);
  const shape = first.shape.slice();
  shape[ax] = total;
  const outer = sizeOf(first.shape.slice(0, ax));
  const inner = sizeOf(first.shape.slice(ax + 1));
  const out = allocate(dtype, sizeOf(shape));
  const starts: number[] = [];
  let at = 0;
  for (const t of tensors) {
    starts.push(at);
    copyBlock(t.data, t.shape[ax], 0, out, total, at, outer, t.shape[ax], inner);
    at += t.shape[ax];
  }
  return record('concat', tensors, new Tensor(out, shape), (g) =>
    tensors.map((t, i) => (t.requiresGrad ? slice(g, ax, starts[i], starts[i] + t.shape[ax]) : null)),
  );
}

/** Stacks equal-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('stack: needs at least one tensor');
  const ax = normAxis('stack', axis, tensors[0].ndim + 1);
  for (const t of tensors) {
    if (!sameShape(t.shape, tensors[0].shape)) {
      throw new ShapeError(`stack: shapes ${tensors.map((x) => fmtShape(x.shape)).join(', ')} differ; expected all equal`);
    }
  }
  return concat(tensors.map((t) => unsqueeze(t, ax)), ax);
}

/**
 * Elements `start` (inclusive) to `end` (exclusive) along `axis`; negative positions count
 * from the end. @example slice(x, 0, 2, 5) // rows 2..4
 */
export function slice(a: Tensor, axis: number, start: number, end?: number): Tensor {
  const ax = normAxis('slice', axis, a.ndim);
  const n = a.shape[ax];
  const s = start < 0 ? start + n : start;
  const e = end === undefined ? n : end < 0 ? end + n : end;
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > n || s > e) {
    throw new ShapeError(`slice: range [${start}, ${end ?? n}) does not fit axis ${ax} of size ${n} (shape ${fmtShape(a.shape)}); expected 0 <= start <= end <= ${n}`);
  }
  if (s === 0 && e === n) return a;
  const shape = a.shape.slice();
  shape[ax] = e - s;
  const outer = sizeOf(a.shape.slice(0, ax));
  const inner = sizeOf(a.shape.slice(ax + 1));
  const out = allocate(a.dtype, sizeOf(shape));
  copyBlock(a.data, n, s, out, e - s, 0, outer, e - s, inner);
  return record('slice', [a], new Tensor(out, shape), (g) => {
    const ga = zeros(a.shape, { dtype: a.dtype });
    copyBlock(g.data, e - s, 0, ga.data, n, s, outer, e - s, inner);
    return [ga];
  });
}

/**
 * Splits along `axis` into pieces of the given sizes (or into `n` equal pieces when a number).
 * The pieces share one gradient buffer, so backward through many pieces costs one pass.
 */
export function split(a: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const ax = normAxis('split', axis, a.ndim);
  const n = a.shape[ax];
  let parts: number[];
  if (typeof sizes === 'number') {
    if (sizes <= 0 || n % sizes !== 0) {
      throw new ShapeError(`split: axis ${ax} of size ${n} (shape ${fmtShape(a.shape)}) does not split into ${sizes} equal pieces`);
    }
    parts = new Array(sizes).fill(n / sizes);
  } else {
    parts = sizes.slice();
    const total = parts.reduce((x, y) => x + y, 0);
    if (total !== n || parts.some((p) => p < 0 || !Number.isInteger(p))) {
      throw new ShapeError(`split: sizes [${parts.join(',')}] sum to ${total}; axis ${ax} of ${fmtShape(a.shape)} has size ${n}`);
    }
  }
  const outer = sizeOf(a.shape.slice(0, ax));
  const inner = sizeOf(a.shape.slice(ax + 1));
  // One gradient buffer for the whole input: each piece's rule adds its slice into it and
  // returns the same tensor object, which autograd counts once (see autograd.ts).
  let shared: Tensor | null = null;
  const out: Tensor[] = [];
  let at = 0;
  for (const len of parts) {
    const start = at;
    const shape = a.shape.slice();
    shape[ax] = len;
    const data = allocate(a.dtype, sizeOf(shape));
    copyBlock(a.data, n, start, data, len, 0, outer, len, inner);
    out.push(
      record('split', [a], new Tensor(data, shape), (g) => {
        if (!isPendingDeferred(shared)) shared = deferredGrad(zeros(a.shape, { dtype: a.dtype }));
        const dst = (shared as Tensor).data;
        const run = len * inner;
        for (let o = 0; o < outer; o++) {
          const d = (o * n + start) * inner;
          const s = o * run;
          for (let j = 0; j < run; j++) dst[d + j] += g.data[s + j];
        }
        return [shared as Tensor];
      }),
    );
    at += len;
  }
  return out;
}

/** Splits along `axis` into pieces of size 1 and drops that axis: [T, B, F] -> T x [B, F]. */
export function unbind(a: Tensor, axis = 0): Tensor[] {
  const ax = normAxis('unbind', axis, a.ndim);
  const shape = a.shape.filter((_, i) => i !== ax);
  return split(a, a.shape[ax], ax).map((p) => reshape(p, shape));
}

/** The sub-tensor at `index` along `axis`, with that axis removed. */
export function select(a: Tensor, axis: number, index: number): Tensor {
  const ax = normAxis('select', axis, a.ndim);
  const i = index < 0 ? index + a.shape[ax] : index;
  if (i < 0 || i >= a.shape[ax]) {
    throw new ShapeError(`select: index ${index} out of range for axis ${ax} of size ${a.shape[ax]} (shape ${fmtShape(a.shape)})`);
  }
  return reshape(slice(a, ax, i, i + 1), a.shape.filter((_, k) => k !== ax));
}
