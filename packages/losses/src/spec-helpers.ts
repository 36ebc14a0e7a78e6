// Helpers shared by this package's specs (not exported from index.ts).
import { Random, Tensor, gradCheck } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';

export const rng = new Random(20240607);

/** A tensor of normal numbers (float64 unless told). */
export function randn(shape: number[], dtype: DType = 'float64', scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = scale * rng.normal();
  return new Tensor(data, shape);
}

/** A tensor of uniform numbers in [low, high). */
export function uniform(shape: number[], low: number, high: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float64Array.from({ length: n }, () => rng.uniform(low, high)), shape);
}

/** Random class indices in [0, classes). */
export function randomClasses(count: number, classes: number): number[] {
  return Array.from({ length: count }, () => rng.int(classes));
}

/** Runs gradCheck and fails with its report when a gradient is off; returns the number of inputs checked. */
export function expectGradOk(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], skip?: number[]): void {
  const result = gradCheck(fn, inputs, { skip });
  if (!result.ok) throw new Error(`gradCheck failed: ${JSON.stringify(result.inputs)}`);
  expect(result.inputs.length).toBe(inputs.length - (skip?.length ?? 0));
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

/** Max |a - b| / max(|b|, floor) over two arrays of one length. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}
