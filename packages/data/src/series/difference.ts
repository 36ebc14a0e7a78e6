import { Observable, OperatorFunction } from 'rxjs';
import { DataError, requireInteger } from '../errors';

/**
 * Differences of a series of rows: emits `row[t] - row[t - lag]` for `t >= lag` (the first
 * `lag` rows only seed it; keep them to invert with {@link undifference} or
 * {@link invertDifferences}). Holds `lag` rows.
 *
 * @example
 * of([1], [4], [9]).pipe(difference()) // [3], [5]
 */
export function difference(options: { lag?: number } = {}): OperatorFunction<readonly number[], number[]> {
  const lag = options.lag ?? 1;
  requireInteger('difference', 'lag', lag, 1);
  return (source) =>
    new Observable<number[]>((subscriber) => {
      const past: (readonly number[])[] = new Array(lag);
      let count = 0;
      return source.subscribe({
        next(row) {
          const slot = count % lag;
          if (count >= lag) {
            const before = past[slot];
            if (before.length !== row.length) {
              subscriber.error(new DataError('DATA_SHAPE', `difference: row ${count} has ${row.length} values but row ${count - lag} had ${before.length}; every row needs the same columns`));
              return;
            }
            subscriber.next(row.map((v, i) => v - before[i]));
          }
          past[slot] = row;
          count += 1;
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** Differences of an in-memory series (see {@link difference}): `rows.length - lag` rows. */
export function differences(rows: readonly (readonly number[])[], lag = 1): number[][] {
  requireInteger('differences', 'lag', lag, 1);
  const out: number[][] = [];
  for (let t = lag; t < rows.length; t++) out.push(rows[t].map((v, i) => v - rows[t - lag][i]));
  return out;
}
