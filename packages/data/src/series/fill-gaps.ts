import { Observable, OperatorFunction } from 'rxjs';
import { DataError } from '../errors';

/** A row of a regular series: its integer step (e.g. months since year 0) and its values. */
export interface TimedRow {
  readonly step: number;
  readonly values: readonly number[];
}

/** A row after {@link fillGaps}: `interpolated` is true for a step that was missing. */
export interface FilledRow extends TimedRow {
  readonly interpolated: boolean;
}

/**
 * Fills missing steps of a regular series by linear interpolation between the known rows on
 * either side, marking them `interpolated: true`. Steps must increase; a repeated or
 * decreasing step is a `DATA_BAD_VALUE` error. Holds one row.
 *
 * @example
 * of({ step: 0, values: [1] }, { step: 3, values: [4] }).pipe(fillGaps())
 * // steps 0..3 with values [1], [2], [3], [4]; steps 1 and 2 interpolated
 */
export function fillGaps(): OperatorFunction<TimedRow, FilledRow> {
  return (source) =>
    new Observable<FilledRow>((subscriber) => {
      let last: TimedRow | undefined;
      return source.subscribe({
        next(row) {
          if (!Number.isInteger(row.step)) {
            subscriber.error(new DataError('DATA_BAD_VALUE', `fillGaps: step ${row.step} is not an integer; expected integer steps of a regular series`, { expected: 'integer step', received: String(row.step) }));
            return;
          }
          if (last) {
            if (row.step <= last.step) {
              subscriber.error(
                new DataError('DATA_BAD_VALUE', `fillGaps: step ${row.step} follows step ${last.step}; expected increasing steps (sort the series, remove duplicates)`, {
                  expected: `a step > ${last.step}`,
                  received: String(row.step),
                }),
              );
              return;
            }
            const gap = row.step - last.step;
            for (let k = 1; k < gap; k++) {
              const f = k / gap;
              const from = last.values;
              subscriber.next({ step: last.step + k, values: row.values.map((v, i) => from[i] + f * (v - from[i])), interpolated: true });
            }
          }
          last = row;
          subscriber.next({ step: row.step, values: row.values, interpolated: false });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
