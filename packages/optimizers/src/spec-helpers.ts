// Helpers shared by this package's specs (not exported from index.ts).
import { Random, Tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';

export const rng = new Random(31337);

/** A parameter tensor (requiresGrad) of normal numbers. */
export function randomParam(shape: number[], dtype: DType = 'float64'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal();
  const t = new Tensor(data, shape);
  t.requiresGrad = true;
  return t;
}

/** A gradient tensor for `p` (same shape and dtype) from plain numbers. */
export function gradFor(p: Tensor, values: ArrayLike<number>): Tensor {
  const data = p.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(data, p.shape);
}

/** Normal numbers. */
export function randomNumbers(n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => scale * rng.normal());
}

/** Expects a call to throw a LoopflowError with this code (and optionally a message pattern). */
export function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).not.toBeNull();
  expect((caught as { code?: string }).code).toBe(code);
  if (message) expect((caught as Error).message).toMatch(message);
}

/** Expects every |a - e| <= atol + rtol |e|. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = -Infinity;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (excess > worst) {
      worst = excess;
      at = i;
    }
  }
  if (worst > 0) throw new Error(`element ${at}: actual ${actual[at]} vs expected ${expected[at]}`);
}
