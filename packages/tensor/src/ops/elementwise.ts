import { Tensor } from '../tensor';
import { allocate } from '../create';
import { record } from '../autograd';
import { getKernels } from '../backend/registry';
import { BinaryKernelName, UnaryKernelName } from '../backend/kernels';
import { broadcastShapes, sameShape, sizeOf } from '../shape';
import { LoopflowError } from '../errors';
import { TensorLike, asTensor, checkDtypes, expandData, sumToShape } from './util';

function binaryForward(op: BinaryKernelName, a: Tensor, b: Tensor): Tensor {
  const dtype = checkDtypes(op, a, b);
  const shape = sameShape(a.shape, b.shape) ? a.shape.slice() : broadcastShapes(op, a.shape, b.shape);
  const out = allocate(dtype, sizeOf(shape));
  getKernels(dtype).binary(op, expandData(a, shape), expandData(b, shape), out);
  return new Tensor(out, shape);
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
