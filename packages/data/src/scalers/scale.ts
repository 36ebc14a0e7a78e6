import { map, OperatorFunction } from 'rxjs';
import type { Scaler } from './scaler';

/**
 * Applies a fitted scaler to each row (a row of the wrong width errors the stream with
 * `DATA_SHAPE`). Fit on the training split, then apply to every split.
 *
 * @example
 * validationRows$.pipe(scale(scalerFittedOnTrain))
 */
export function scale(scaler: Scaler): OperatorFunction<readonly number[], number[]> {
  return map((row) => scaler.transform(row));
}
