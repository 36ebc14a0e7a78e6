import { DataError, requireFraction } from '../errors';

/** Three disjoint parts of a dataset. */
export interface Split<T> {
  readonly train: T[];
  readonly validation: T[];
  readonly test: T[];
}

/** Fractions of the data for validation and test (train gets the rest). */
export interface SplitFractions {
  /** Default 0.1. */
  readonly validation?: number;
  /** Default 0.1. */
  readonly test?: number;
}

/** Sizes of the three parts for `n` items: validation and test rounded, train the rest. */
export function splitSizes(op: string, n: number, fractions: SplitFractions): { train: number; validation: number; test: number } {
  const v = fractions.validation ?? 0.1;
  const t = fractions.test ?? 0.1;
  requireFraction(op, 'validation', v);
  requireFraction(op, 'test', t);
  if (v + t >= 1) {
    throw new DataError('DATA_INVALID_ARGUMENT', `${op}: validation ${v} + test ${t} = ${v + t}; expected a sum below 1 so that training data remains`, {
      expected: 'validation + test < 1',
      received: String(v + t),
    });
  }
  const validation = Math.round(n * v);
  const test = Math.round(n * t);
  return { train: n - validation - test, validation, test };
}
