import { requireInteger } from '../errors';
import { Split, SplitFractions, splitSizes } from './split';

/** A chronological split, with where each part starts and ends in the series. */
export interface ChronologicalSplit<T> extends Split<T> {
  /** `[start, end)` of each part's own rows in the series (context rows not included). */
  readonly ranges: { readonly train: [number, number]; readonly validation: [number, number]; readonly test: [number, number] };
}

/**
 * Splits a series in time order: train first, then validation, then test, so no value of a
 * later part is seen while fitting anything on train (scalers, vocabularies, the model).
 * `context` (e.g. the window look-back) prepends that many rows of the preceding part to
 * validation and test as past input only, so their first window predicts their first row;
 * the targets of windows cut from a part are always that part's own rows.
 *
 * @example
 * const split = chronologicalSplit(rows, { validation: 0.15, test: 0.15, context: 24 });
 * const scaler = Scaler.fit('standard', split.train); // train only
 */
export function chronologicalSplit<T>(items: readonly T[], options: SplitFractions & { context?: number } = {}): ChronologicalSplit<T> {
  const context = options.context ?? 0;
  requireInteger('chronologicalSplit', 'context', context, 0);
  const sizes = splitSizes('chronologicalSplit', items.length, options);
  const a = sizes.train;
  const b = sizes.train + sizes.validation;
  return {
    train: items.slice(0, a),
    validation: items.slice(Math.max(0, a - context), b),
    test: items.slice(Math.max(0, b - context), items.length),
    ranges: { train: [0, a], validation: [a, b], test: [b, items.length] },
  };
}
