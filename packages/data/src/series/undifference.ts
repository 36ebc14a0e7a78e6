import { Observable, OperatorFunction } from 'rxjs';
import { DataError, requireInteger } from '../errors';

/**
 * The inverse of {@link difference}: from the `lag` original rows that precede the first
 * difference (`initial`), emits `row[t] = diff[t] + row[t - lag]`. Use it to report a
 * differenced model's predictions in the original units.
 *
 * @example
 * of([3], [5]).pipe(undifference({ initial: [[1]] })) // [4], [9]
 */
export function undifference(options: { initial: readonly (readonly number[])[]; lag?: number }): OperatorFunction<readonly number[], number[]> {
  const lag = options.lag ?? 1;
  requireInteger('undifference', 'lag', lag, 1);
  checkInitial('undifference', options.initial, lag);
  return (source) =>
    new Observable<number[]>((subscriber) => {
      const past: (readonly number[])[] = options.initial.slice();
      let count = 0;
      return source.subscribe({
        next(diff) {
          const slot = count % lag;
          const before = past[slot];
          if (before.length !== diff.length) {
            subscriber.error(new DataError('DATA_SHAPE', `undifference: difference ${count} has ${diff.length} values but the row it adds to has ${before.length}; every row needs the same columns`));
            return;
          }
          const row = diff.map((v, i) => v + before[i]);
          past[slot] = row;
          count += 1;
          subscriber.next(row);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The inverse of {@link differences} on arrays: `initial` holds the `lag` rows just before
 * the first difference (for a forecast: the last `lag` observed rows).
 *
 * @example
 * invertDifferences([[3], [5]], [[1]]) // [[4], [9]]
 */
export function invertDifferences(diffs: readonly (readonly number[])[], initial: readonly (readonly number[])[], lag = 1): number[][] {
  requireInteger('invertDifferences', 'lag', lag, 1);
  checkInitial('invertDifferences', initial, lag);
  const rows: (readonly number[])[] = initial.slice();
  const out: number[][] = [];
  for (const d of diffs) {
    const before = rows[rows.length - lag];
    const row = d.map((v, i) => v + before[i]);
    rows.push(row);
    out.push(row);
  }
  return out;
}

function checkInitial(op: string, initial: readonly (readonly number[])[], lag: number): void {
  if (!Array.isArray(initial) || initial.length !== lag) {
    throw new DataError('DATA_INVALID_ARGUMENT', `${op}: initial has ${initial?.length} rows; expected lag = ${lag} rows (the original rows just before the first difference)`, {
      expected: `${lag} rows`,
      received: `${initial?.length} rows`,
    });
  }
}
