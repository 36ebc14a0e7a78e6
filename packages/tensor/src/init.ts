import { Tensor, DType } from './tensor';
import { allocate } from './create';
import { Random } from './random';
import { LoopflowError, fmtShape } from './errors';
import { sizeOf } from './shape';

/** Options of every initializer. */
export interface InitOptions {
  dtype?: DType;
  /** Make the result a trainable leaf (default true). */
  requiresGrad?: boolean;
  name?: string;
}

function make(shape: readonly number[], fill: (data: Float32Array | Float64Array) => void, options: InitOptions): Tensor {
  const data = allocate(options.dtype ?? 'float32', sizeOf(shape));
  fill(data);
  const t = new Tensor(data, shape, options.requiresGrad ?? true);
  if (options.name) t.name = options.name;
  return t;
}

/** Fan-in and fan-out as PyTorch computes them: a [out, in, ...rest] weight. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new LoopflowError('INVALID_ARGUMENT', `fans: shape ${fmtShape(shape)} has fewer than 2 dimensions; fan-in and fan-out need a matrix`);
  }
  const receptive = sizeOf(shape.slice(2));
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** U(low, high). */
export function uniform(rng: Random, shape: readonly number[], low = -1, high = 1, options: InitOptions = {}): Tensor {
  return make(shape, (d) => { for (let i = 0; i < d.length; i++) d[i] = rng.uniform(low, high); }, options);
}

/** N(mean, std^2). */
export function normal(rng: Random, shape: readonly number[], mean = 0, std = 1, options: InitOptions = {}): Tensor {
  return make(shape, (d) => { for (let i = 0; i < d.length; i++) d[i] = rng.normal(mean, std); }, options);
}

/** Glorot / Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function glorotUniform(rng: Random, shape: readonly number[], gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(rng, shape, -a, a, options);
}

/** Glorot / Xavier normal: N(0, gain^2 * 2 / (fanIn + fanOut)). */
export function glorotNormal(rng: Random, shape: readonly number[], gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(shape);
  return normal(rng, shape, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

/**
 * A (semi-)orthogonal matrix, as PyTorch's `orthogonal_`: QR of a normal matrix with the
 * signs of R's diagonal folded into Q, times `gain`. Shape [rows, cols] (more dims are
 * flattened into cols).
 */
export function orthogonal(rng: Random, shape: readonly number[], gain = 1, options: InitOptions = {}): Tensor {
  if (shape.length < 2) throw new LoopflowError('INVALID_ARGUMENT', `orthogonal: shape ${fmtShape(shape)}; expected at least 2 dimensions`);
  const rows = shape[0];
  const cols = sizeOf(shape.slice(1));
  // Work on the tall orientation [n, m] with n >= m, via modified Gram-Schmidt (in float64).
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  const q = new Float64Array(n * m); // column j at q[i*m + j]
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let j = 0; j < m; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * m + j] * q[i * m + p];
      for (let i = 0; i < n; i++) q[i * m + j] -= dot * q[i * m + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * m + j] * q[i * m + j];
    norm = Math.sqrt(norm);
    // Gram-Schmidt's R has a positive diagonal, which is the sign-corrected QR.
    for (let i = 0; i < n; i++) q[i * m + j] /= norm;
  }
  return make(shape, (d) => {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) d[r * cols + c] = gain * (rows >= cols ? q[r * m + c] : q[c * m + r]);
    }
  }, options);
}

/**
 * PyTorch's default for recurrent layers (and Linear biases): U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)).
 */
export function recurrentUniform(rng: Random, shape: readonly number[], hiddenSize: number, options: InitOptions = {}): Tensor {
  const k = 1 / Math.sqrt(hiddenSize);
  return uniform(rng, shape, -k, k, options);
}
