import { map, OperatorFunction } from 'rxjs';
import type { Scaler } from './scaler';

/**
 * Maps scaled rows back to the original units, for reporting predictions.
 *
 * @example
 * predictions$.pipe(unscale(scaler.select([0]))) // back in ppm
 */
export function unscale(scaler: Scaler): OperatorFunction<readonly number[], number[]> {
  return map((row) => scaler.inverse(row));
}
