import { Observable, OperatorFunction } from 'rxjs';
import { DataError, requireInteger } from '../errors';
import type { SeriesSample } from '../sequences/samples';

/** Options of {@link seriesWindows}. */
export interface SeriesWindowsOptions {
  /** Past rows in each input window. */
  readonly lookBack: number;
  /** Future rows to predict (default 1). */
  readonly horizon?: number;
  /** Rows between the starts of consecutive windows (default 1). */
  readonly stride?: number;
  /** Columns (indices into each row) fed to the model (default: all). */
  readonly inputColumns?: readonly number[];
  /** Columns predicted (default: all). */
  readonly targetColumns?: readonly number[];
}

/**
 * Forecasting windows over a stream of rows (one row = the features at one time step):
 * for `s = 0, stride, ...`, `input` = rows `s .. s+lookBack` (input columns) and `target` =
 * rows `s+lookBack .. s+lookBack+horizon` (target columns). Holds only the last
 * `lookBack + horizon` rows. Rows of unequal width are a `DATA_SHAPE` error.
 *
 * @example
 * of([1], [2], [3], [4]).pipe(seriesWindows({ lookBack: 2, horizon: 1 }))
 * // {input:[[1],[2]], target:[[3]], index:0}, {input:[[2],[3]], target:[[4]], index:1}
 */
export function seriesWindows(options: SeriesWindowsOptions): OperatorFunction<readonly number[], SeriesSample> {
  const lookBack = options.lookBack;
  const horizon = options.horizon ?? 1;
  const stride = options.stride ?? 1;
  requireInteger('seriesWindows', 'lookBack', lookBack, 1);
  requireInteger('seriesWindows', 'horizon', horizon, 0);
  requireInteger('seriesWindows', 'stride', stride, 1);
  const span = lookBack + horizon;
  return (source) =>
    new Observable<SeriesSample>((subscriber) => {
      // each row's input and target columns, picked once as it arrives: the windows holding a
      // row share these arrays (read-only) instead of a copy each (lookBack times less memory)
      const ringInput: (readonly number[])[] = new Array(span);
      const ringTarget: (readonly number[])[] = new Array(span);
      let count = 0;
      let width = -1;
      let inputColumns: readonly number[] = [];
      let targetColumns: readonly number[] = [];
      return source.subscribe({
        next(row) {
          if (width < 0) {
            width = row.length;
            try {
              inputColumns = checkColumns('inputColumns', options.inputColumns, width);
              targetColumns = checkColumns('targetColumns', options.targetColumns, width);
            } catch (err) {
              subscriber.error(err);
              return;
            }
          } else if (row.length !== width) {
            subscriber.error(
              new DataError('DATA_SHAPE', `seriesWindows: row ${count} has ${row.length} values but the first row had ${width}; every row needs the same columns`, {
                expected: `${width} values`,
                received: `${row.length} values`,
              }),
            );
            return;
          }
          ringInput[count % span] = pick(row, inputColumns);
          ringTarget[count % span] = pick(row, targetColumns);
          count += 1;
          const start = count - span;
          if (start >= 0 && start % stride === 0) {
            const input: (readonly number[])[] = [];
            const target: (readonly number[])[] = [];
            for (let t = 0; t < lookBack; t++) input.push(ringInput[(start + t) % span]);
            for (let t = lookBack; t < span; t++) target.push(ringTarget[(start + t) % span]);
            subscriber.next({ kind: 'series', input, target, index: start });
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** The row's `columns`; the row itself when they are all of its columns in order (rows are read, never written). */
function pick(row: readonly number[], columns: readonly number[]): readonly number[] {
  if (columns.length === row.length && columns.every((c, i) => c === i)) return row;
  const out = new Array<number>(columns.length);
  for (let i = 0; i < columns.length; i++) out[i] = row[columns[i]];
  return out;
}

function checkColumns(name: string, columns: readonly number[] | undefined, width: number): readonly number[] {
  if (columns === undefined) return Array.from({ length: width }, (_, i) => i);
  for (const c of columns) {
    if (!Number.isInteger(c) || c < 0 || c >= width) {
      throw new DataError('DATA_INVALID_ARGUMENT', `seriesWindows: ${name} has ${c}, but rows have ${width} columns; expected indices in [0, ${width - 1}]`, {
        expected: `indices in [0, ${width - 1}]`,
        received: String(c),
      });
    }
  }
  return columns;
}
