/**
 * Helpers for handlers: take tensors and sizes out of a golden file with checks that name
 * the file's problem (a GoldenFormatError, reported by the runner as FAIL for that case).
 */
import { Tensor, tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { GoldenFormatError } from './errors';
import type { Comparison, Golden, GoldenTensor } from './types';

/** The golden tensor `name`; throws GoldenFormatError listing the tensors present when it is absent. */
export function goldenTensor(golden: Golden, name: string): GoldenTensor {
  const t = golden.tensors[name];
  if (!t) {
    const present = Object.keys(golden.tensors).join(', ');
    throw new GoldenFormatError(`case '${golden.case}' needs tensor '${name}', which the file lacks (it has: ${present})`);
  }
  return t;
}

/**
 * The golden tensor `name` as a loopflow tensor of `dtype`, optionally checked against an
 * expected shape (`-1` accepts any size in that dimension).
 *
 * @example
 * const x = loadTensor(golden, 'x', dtype, { requiresGrad: true, shape: [-1, dim] }); // [batch, dim]
 */
export function loadTensor(
  golden: Golden,
  name: string,
  dtype: DType,
  options: { requiresGrad?: boolean; shape?: readonly number[] } = {},
): Tensor {
  const t = goldenTensor(golden, name);
  if (options.shape) expectShape(golden, name, options.shape);
  return tensor(t.data, t.shape, { dtype, requiresGrad: options.requiresGrad ?? false, name });
}

/** Throws GoldenFormatError unless tensor `name` has `shape` (`-1` = any size there). */
export function expectShape(golden: Golden, name: string, shape: readonly number[]): void {
  const actual = goldenTensor(golden, name).shape;
  const fits = actual.length === shape.length && shape.every((d, i) => d === -1 || d === actual[i]);
  if (!fits) {
    const want = `[${shape.map((d) => (d === -1 ? '*' : d)).join(',')}]`;
    throw new GoldenFormatError(`case '${golden.case}': tensor '${name}' has shape [${actual.join(',')}], expected ${want}`);
  }
}

/** The number `config[key]`; throws GoldenFormatError when it is absent or not a number. */
export function configNumber(golden: Golden, key: string): number {
  const value = golden.config[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const found = value === undefined ? 'it is absent' : `found ${JSON.stringify(value)}`;
    throw new GoldenFormatError(`case '${golden.case}': config.${key} must be a number; ${found}`);
  }
  return value;
}

/**
 * A comparison of loopflow's tensor with the golden tensor of the same name, shapes checked.
 *
 * @example
 * comparisons.push(compareWith(golden, 'grad_x', gradX));
 */
export function compareWith(golden: Golden, name: string, actual: Tensor): Comparison {
  const expected = goldenTensor(golden, name);
  const sameSize = actual.size === expected.data.length;
  const sameShape = actual.shape.length === expected.shape.length && actual.shape.every((d, i) => d === expected.shape[i]);
  if (!sameShape && !sameSize) {
    // the runner reports the length difference; the shapes say more
    return { name: `${name} (loopflow [${actual.shape.join(',')}] vs golden [${expected.shape.join(',')}])`, actual: actual.data, expected: expected.data };
  }
  return { name, actual: actual.data, expected: expected.data, shape: expected.shape };
}
