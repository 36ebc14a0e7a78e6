import { DType, Tensor } from '../tensor';
import { LoopflowError, fmtShape } from '../errors';
import { allocate } from '../create';
import { broadcastStrides, sameShape, sizeOf, stridesOf } from '../shape';

/** A tensor or a plain number (taken as a scalar of the other operand's dtype). */
export type TensorLike = Tensor | number;

/** Turns a number into a scalar tensor of the given dtype. */
export function asTensor(x: TensorLike, dtype: DType): Tensor {
  if (x instanceof Tensor) return x;
  const data = allocate(dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** Checks that every tensor has the same dtype, naming the op. */
export function checkDtypes(op: string, ...ts: Tensor[]): DType {
  const dtype = ts[0].dtype;
  for (const t of ts) {
    if (t.dtype !== dtype) {
      throw new LoopflowError('DTYPE_MISMATCH', `${op}: mixes ${dtype} and ${t.dtype} tensors (shapes ${ts.map((x) => fmtShape(x.shape)).join(', ')}); convert one with .to('${dtype}')`);
    }
  }
  return dtype;
}

/** Copies `t` into a new array laid out as the broadcast shape `target`. */
export function expandData(t: Tensor, target: readonly number[]) {
  if (sameShape(t.shape, target)) return t.data;
  const out = allocate(t.dtype, sizeOf(target));
  const src = t.data;
  if (t.size === 1) {
    out.fill(src[0]);
    return out;
  }
  const strides = broadcastStrides(t.shape, target);
  const nd = target.length;
  // Innermost run: when the last dim is not broadcast, copy rows.
  const inner = target[nd - 1];
  const innerStride = strides[nd - 1];
  const outer = out.length / inner;
  const idx = new Array<number>(nd - 1).fill(0);
  let srcOffset = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    if (innerStride === 1) for (let j = 0; j < inner; j++) out[base + j] = src[srcOffset + j];
    else if (innerStride === 0) out.fill(src[srcOffset], base, base + inner);
    else for (let j = 0; j < inner; j++) out[base + j] = src[srcOffset + j * innerStride];
    // odometer over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      srcOffset += strides[d];
      if (idx[d] < target[d]) break;
      srcOffset -= strides[d] * target[d];
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Sums a gradient of the broadcast shape down to `shape` (the inverse of broadcasting):
 * leading extra dims and dims of size 1 are summed over.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = allocate(g.dtype, sizeOf(shape));
  const strides = broadcastStrides(shape, g.shape);
  const nd = g.shape.length;
  const gd = g.data;
  if (nd === 0) {
    out[0] = gd[0];
    return new Tensor(out, shape);
  }
  const inner = g.shape[nd - 1];
  const innerStride = strides[nd - 1];
  const outer = gd.length / Math.max(inner, 1);
  const idx = new Array<number>(nd - 1).fill(0);
  let dst = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    if (innerStride === 0) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += gd[base + j];
      out[dst] += s;
    } else {
      for (let j = 0; j < inner; j++) out[dst + j * innerStride] += gd[base + j];
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      dst += strides[d];
      if (idx[d] < g.shape[d]) break;
      dst -= strides[d] * g.shape[d];
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

export { stridesOf, sizeOf };
