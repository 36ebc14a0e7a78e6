import { Tensor } from '../tensor';
import { allocate } from '../create';
import { record } from '../autograd';
import { getKernels } from '../backend/registry';
import { BinaryKernelName, FloatArray, UnaryKernelName } from '../backend/kernels';
import { broadcastShapes, sameShape, sizeOf } from '../shape';
import { LoopflowError } from '../errors';
import { TensorLike, asTensor, checkDtypes, expandData, leadingRepeat, sumToShape, trailingRepeat } from './util';

/** Elements per kernel call when one operand is repeated (the wasm kernels' own chunk, 64 KiB of float32). */
const REPEAT_CHUNK = 16384;

function binaryForward(op: BinaryKernelName, a: Tensor, b: Tensor): Tensor {
  const dtype = checkDtypes(op, a, b);
  const kernels = getKernels(dtype);
  if (sameShape(a.shape, b.shape)) {
    const out = allocate(dtype, a.size);
    kernels.binary(op, a.data, b.data, out);
    return new Tensor(out, a.shape.slice());
  }
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = allocate(dtype, sizeOf(shape));
  // Fast paths: one operand has the result's shape and the other repeats along leading dims
  // (a bias [N] on [..., N], a scalar) or each of its elements along trailing dims ([R, 1] on
  // [R, N]): no expanded copy of the small one.
  const aFull = sameShape(a.shape, shape);
  if (aFull || sameShape(b.shape, shape)) {
    const [full, small] = aFull ? [a, b] : [b, a];
    const block = leadingRepeat(small.shape, shape);
    if (block > 0) return new Tensor(repeatBinary(op, full.data, small.data, block, out, !aFull), shape);
    const rows = trailingRepeat(small.shape, shape);
    if (rows > 0) return new Tensor(repeatEachBinary(op, full.data, small.data, out, !aFull), shape);
  }
  kernels.binary(op, expandData(a, shape), expandData(b, shape), out);
  return new Tensor(out, shape);
}

/**
 * `out = full op small` (or `small op full` when `smallFirst`), where each element r of
 * `small` repeats over the r-th run of `full.length / small.length` elements. The kernel runs
 * on chunks of whole runs; one chunk-sized buffer holds the repeated elements of each.
 */
function repeatEachBinary(op: BinaryKernelName, full: FloatArray, small: FloatArray, out: FloatArray, smallFirst: boolean): FloatArray {
  const kernels = getKernels(full instanceof Float64Array ? 'float64' : 'float32');
  const rows = small.length;
  const run = full.length / rows;
  const rowsPerChunk = Math.max(1, Math.min(rows, Math.floor(REPEAT_CHUNK / run)));
  const repeated = full instanceof Float64Array ? new Float64Array(rowsPerChunk * run) : new Float32Array(rowsPerChunk * run);
  for (let first = 0; first < rows; first += rowsPerChunk) {
    const last = Math.min(rows, first + rowsPerChunk);
    for (let r = first; r < last; r++) repeated.fill(small[r], (r - first) * run, (r - first + 1) * run);
    const start = first * run;
    const end = last * run;
    const part = full.subarray(start, end);
    const rep = end - start === repeated.length ? repeated : repeated.subarray(0, end - start);
    if (smallFirst) kernels.binary(op, rep, part, out.subarray(start, end));
    else kernels.binary(op, part, rep, out.subarray(start, end));
  }
  return out;
}

/**
 * `out = full op small` (or `small op full` when `smallFirst`), where `small` (`block`
 * elements) repeats along `full`. The kernel runs on chunks of `full` against one buffer of
 * `small` repeated to the chunk's length (or `small` itself when it is a chunk or longer).
 */
function repeatBinary(op: BinaryKernelName, full: FloatArray, small: FloatArray, block: number, out: FloatArray, smallFirst: boolean): FloatArray {
  const kernels = getKernels(full instanceof Float64Array ? 'float64' : 'float32');
  const total = full.length;
  const copies = Math.max(1, Math.min(Math.floor(REPEAT_CHUNK / block), total / block));
  const chunk = copies * block;
  let repeated = small;
  if (copies > 1) {
    repeated = full instanceof Float64Array ? new Float64Array(chunk) : new Float32Array(chunk);
    if (block === 1) repeated.fill(small[0]);
    else for (let c = 0; c < copies; c++) repeated.set(small, c * block);
  }
  for (let start = 0; start < total; start += chunk) {
    const end = Math.min(total, start + chunk);
    const part = full.subarray(start, end);
    const rep = end - start === chunk ? repeated : repeated.subarray(0, end - start);
    if (smallFirst) kernels.binary(op, rep, part, out.subarray(start, end));
    else kernels.binary(op, part, rep, out.subarray(start, end));
  }
  return out;
}

function unaryForward(op: UnaryKernelName, a: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  getKernels(a.dtype).unary(op, a.data, out);
  return new Tensor(out, a.shape);
}

function pair(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  const dtype = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float32';
  return [asTensor(a, dtype), asTensor(b, dtype)];
}

/** Elementwise `a + b` with broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = pair(a, b);
  return record('add', [x, y], binaryForward('add', x, y), (g) => [sumToShape(g, x.shape), sumToShape(g, y.shape)]);
}

/** Elementwise `a - b` with broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = pair(a, b);
  return record('sub', [x, y], binaryForward('sub', x, y), (g) => [sumToShape(g, x.shape), sumToShape(neg(g), y.shape)]);
}

/** Elementwise `a * b` with broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = pair(a, b);
  return record('mul', [x, y], binaryForward('mul', x, y), (g) => [
    x.requiresGrad ? sumToShape(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, x), y.shape) : null,
  ]);
}

/** Elementwise `a / b` with broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = pair(a, b);
  const out = binaryForward('div', x, y);
  return record('div', [x, y], out, (g) => [
    x.requiresGrad ? sumToShape(div(g, y), x.shape) : null,
    // d(x/y)/dy = -x/y^2 = -out/y
    y.requiresGrad ? sumToShape(neg(mul(g, div(out, y))), y.shape) : null,
  ]);
}

/** Elementwise `-a`. */
export function neg(a: Tensor): Tensor {
  return record('neg', [a], unaryForward('neg', a), (g) => [neg(g)]);
}

/** Elementwise `e^a`. */
export function exp(a: Tensor): Tensor {
  const out = unaryForward('exp', a);
  return record('exp', [a], out, (g) => [mul(g, out)]);
}

/** Elementwise natural logarithm. */
export function log(a: Tensor): Tensor {
  return record('log', [a], unaryForward('log', a), (g) => [div(g, a)]);
}

/** Elementwise square root. */
export function sqrt(a: Tensor): Tensor {
  const out = unaryForward('sqrt', a);
  return record('sqrt', [a], out, (g) => [div(g, mul(out, 2))]);
}

/** Elementwise hyperbolic tangent. */
export function tanh(a: Tensor): Tensor {
  const out = unaryForward('tanh', a);
  return record('tanh', [a], out, (g) => [mul(g, sub(1, mul(out, out)))]);
}

/** Elementwise logistic sigmoid `1 / (1 + e^-a)`, stable for large |a|. */
export function sigmoid(a: Tensor): Tensor {
  const out = unaryForward('sigmoid', a);
  return record('sigmoid', [a], out, (g) => [mul(g, mul(out, sub(1, out)))]);
}

/** Elementwise `max(a, 0)`. */
export function relu(a: Tensor): Tensor {
  const out = unaryForward('relu', a);
  return record('relu', [a], out, (g) => [mul(g, step(a))]);
}

/** 1 where a > 0, else 0 (no gradient). */
function step(a: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] > 0 ? 1 : 0;
  return new Tensor(out, a.shape);
}

/**
 * Elementwise power. With a number exponent: `a^p`. With a tensor exponent (broadcast):
 * `a^b`, differentiable in both (the base must then be positive where b's gradient is used).
 */
export function pow(a: Tensor, p: TensorLike): Tensor {
  if (typeof p === 'number') {
    const out = allocate(a.dtype, a.size);
    for (let i = 0; i < a.size; i++) out[i] = Math.pow(a.data[i], p);
    return record('pow', [a], new Tensor(out, a.shape), (g) => [mul(g, mul(pow(a, p - 1), p))]);
  }
  const [x, y] = pair(a, p);
  checkDtypes('pow', x, y);
  const shape = broadcastShapes('pow', x.shape, y.shape);
  const xd = expandData(x, shape);
  const yd = expandData(y, shape);
  const out = allocate(x.dtype, sizeOf(shape));
  for (let i = 0; i < out.length; i++) out[i] = Math.pow(xd[i], yd[i]);
  const result = new Tensor(out, shape);
  return record('pow', [x, y], result, (g) => [
    x.requiresGrad ? sumToShape(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    y.requiresGrad ? sumToShape(mul(g, mul(result, log(x))), y.shape) : null,
  ]);
}

/**
 * Elementwise clamp into `[min, max]` (either bound may be omitted). The gradient passes
 * where the input lies inside the bounds (inclusive), as in PyTorch.
 */
export function clamp(a: Tensor, min?: number, max?: number): Tensor {
  if (min !== undefined && max !== undefined && min > max) {
    throw new LoopflowError('INVALID_ARGUMENT', `clamp: min ${min} is greater than max ${max}; expected min <= max`);
  }
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const out = allocate(a.dtype, a.size);
  const mask = allocate(a.dtype, a.size);
  for (let i = 0; i < a.size; i++) {
    const v = a.data[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
    mask[i] = v >= lo && v <= hi ? 1 : 0;
  }
  return record('clamp', [a], new Tensor(out, a.shape), (g) => [mul(g, new Tensor(mask, a.shape))]);
}

/** `a * s` for a number `s` (a convenience for `mul`). */
export function scale(a: Tensor, s: number): Tensor {
  return mul(a, s);
}

/** Elementwise square. */
export function square(a: Tensor): Tensor {
  return mul(a, a);
}

/** Elementwise absolute value (gradient sign(a), 0 at 0). */
export function abs(a: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  const sign = allocate(a.dtype, a.size);
  for (let i = 0; i < a.size; i++) {
    out[i] = Math.abs(a.data[i]);
    sign[i] = Math.sign(a.data[i]);
  }
  return record('abs', [a], new Tensor(out, a.shape), (g) => [mul(g, new Tensor(sign, a.shape))]);
}
