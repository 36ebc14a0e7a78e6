import { DType, NestedArray, Tensor } from './tensor';
import { ShapeError, fmtShape } from './errors';
import { sizeOf } from './shape';
import { FloatArray } from './backend/kernels';

/** Options shared by the creation helpers. */
export interface CreateOptions {
  /** Element type; 'float32' by default. */
  dtype?: DType;
  /** Make a leaf that gradients accumulate into. */
  requiresGrad?: boolean;
  /** A name shown when printing. */
  name?: string;
}

/** A typed array of the given dtype and length, zero-filled. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

function finish(t: Tensor, options: CreateOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  if (options.name) t.name = options.name;
  return t;
}

function inferShape(value: NestedArray, path: string): number[] {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value)) throw new ShapeError(`tensor: element at ${path} is ${typeof value}; expected a number or an array`);
  if (value.length === 0) return [0];
  const inner = inferShape(value[0], `${path}[0]`);
  for (let i = 1; i < value.length; i++) {
    const s = inferShape(value[i], `${path}[${i}]`);
    if (s.join(',') !== inner.join(',')) {
      throw new ShapeError(`tensor: ragged nested array: ${path}[${i}] has shape ${fmtShape(s)} but ${path}[0] has ${fmtShape(inner)}; every row must have the same length`);
    }
  }
  return [value.length, ...inner];
}

/**
 * A tensor from nested arrays, a flat array with a shape, or a typed array with a shape.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);              // [2, 2]
 * tensor([1, 2, 3, 4, 5, 6], [2, 3]);    // [2, 3]
 */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: readonly number[], options: CreateOptions = {}): Tensor {
  const dtype = options.dtype ?? 'float32';
  if (shape) {
    const flat = values as ArrayLike<number>;
    if (typeof values === 'number' || flat.length === undefined) {
      throw new ShapeError(`tensor: with a shape ${fmtShape(shape)}, values must be a flat array or typed array`);
    }
    if (flat.length !== sizeOf(shape)) {
      throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${fmtShape(shape)}, which holds ${sizeOf(shape)}`);
    }
    const data = allocate(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = Array.isArray(flat) ? Number(flat[i]) : flat[i];
    return finish(new Tensor(data, shape), options);
  }
  const inferred = inferShape(values as NestedArray, 'values');
  const flat = (Array.isArray(values) ? (values as unknown[]).flat(Infinity) : [values]) as number[];
  return finish(new Tensor(allocate(dtype, flat.length).map((_, i) => flat[i]) as FloatArray, inferred), options);
}

/** Wraps an existing typed array without copying. */
export function fromArray(data: FloatArray, shape: readonly number[], options: CreateOptions = {}): Tensor {
  return finish(new Tensor(data, shape), options);
}

/** A scalar tensor (shape `[]`). */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  const data = allocate(options.dtype ?? 'float32', 1);
  data[0] = value;
  return finish(new Tensor(data, []), options);
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return finish(new Tensor(data, shape), options);
}

/** A tensor of zeros. */
export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** Zeros of another tensor's shape and dtype. */
export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...options });
}

/** Ones of another tensor's shape and dtype. */
export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...options });
}

/** `[start, start+step, ...)` below `end`, as a 1-D tensor. */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ShapeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = allocate(options.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n]), options);
}

/** The identity matrix `[n, n]`. */
export function eye(n: number, options: CreateOptions = {}): Tensor {
  const t = zeros([n, n], options);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}
