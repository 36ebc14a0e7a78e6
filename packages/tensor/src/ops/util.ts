import { DType, Tensor } from '../tensor';
import { LoopflowError, fmtShape } from '../errors';
import { allocate } from '../create';
import { getKernels } from '../backend/registry';
import { FloatArray } from '../backend/kernels';
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

/**
 * When `shape` broadcasts to `target` by repeating a block along leading dims only (`[N]` or
 * `[1, N]` into `[..., N]`; a scalar into anything): the size of that block (1 for a scalar).
 * Otherwise 0. The common case of a bias `[N]` added to `[T, B, N]`.
 *
 * @example leadingRepeat([512], [64, 32, 512]) // 512: each [512] row of the result is a copy
 */
export function leadingRepeat(shape: readonly number[], target: readonly number[]): number {
  let i = shape.length - 1;
  let j = target.length - 1;
  let inner = 1;
  while (i >= 0 && j >= 0 && shape[i] === target[j]) {
    inner *= shape[i];
    i--;
    j--;
  }
  for (; i >= 0; i--) if (shape[i] !== 1) return 0;
  return inner;
}

/**
 * When `shape` broadcasts to `target` by repeating each element along trailing dims only
 * (`[R, 1]` into `[R, N]`, a `keepDims` reduction over the last axes): the number of
 * elements of `shape`. Otherwise 0.
 *
 * @example trailingRepeat([64, 1], [64, 10]) // 64: element r fills row r of the result
 */
export function trailingRepeat(shape: readonly number[], target: readonly number[]): number {
  const pad = target.length - shape.length;
  if (pad < 0) return 0;
  let k = 0;
  let outer = 1;
  while (k < target.length && (k < pad ? 1 : shape[k - pad]) === target[k]) outer *= target[k++];
  for (; k < target.length; k++) if ((k < pad ? 1 : shape[k - pad]) !== 1) return 0;
  return outer;
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
  // Fast paths: a block repeated along leading dims (a row copy each), or each element
  // repeated along trailing dims (a fill each).
  const block = leadingRepeat(t.shape, target);
  if (block > 0) {
    for (let o = 0; o < out.length; o += block) out.set(src, o);
    return out;
  }
  const rows = trailingRepeat(t.shape, target);
  if (rows > 0) {
    const run = out.length / rows;
    for (let r = 0; r < rows; r++) out.fill(src[r], r * run, (r + 1) * run);
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

let ones32 = new Float32Array(0);
let ones64 = new Float64Array(0);

/** `n` ones of `dtype`, from a cache that grows (read-only: kernels only read it). */
function onesOf(dtype: DType, n: number): FloatArray {
  if (dtype === 'float64') {
    if (ones64.length < n) ones64 = new Float64Array(Math.max(n, 2 * ones64.length)).fill(1);
    return ones64.subarray(0, n);
  }
  if (ones32.length < n) ones32 = new Float32Array(Math.max(n, 2 * ones32.length)).fill(1);
  return ones32.subarray(0, n);
}

/**
 * Sums a gradient of the broadcast shape down to `shape` (the inverse of broadcasting):
 * leading extra dims and dims of size 1 are summed over.
 *
 * The two common patterns (a bias's gradient: summing `[..., N]` over the leading dims; a
 * `keepDims` sum over trailing dims: `[R, N]` to `[R, 1]`) are one matrix product with a
 * vector of ones on the backend's kernel (WebAssembly SIMD for float32; the plain row loop
 * of the reference kernel otherwise). Other patterns take a general strided loop.
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const out = allocate(g.dtype, sizeOf(shape));
  const gd = g.data;
  const block = leadingRepeat(shape, g.shape);
  if (block > 0) {
    // out[1, block] = ones[1, rows] @ g[rows, block]
    const rows = gd.length / block;
    getKernels(g.dtype).matmul(onesOf(g.dtype, rows), gd, out, 1, rows, block);
    return new Tensor(out, shape);
  }
  const rows = trailingRepeat(shape, g.shape);
  if (rows > 0) {
    // out[rows, 1] = g[rows, run] @ ones[run, 1]
    const run = gd.length / rows;
    getKernels(g.dtype).matmul(gd, onesOf(g.dtype, run), out, rows, run, 1);
    return new Tensor(out, shape);
  }
  const strides = broadcastStrides(shape, g.shape);
  const nd = g.shape.length;
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
