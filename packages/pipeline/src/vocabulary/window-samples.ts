import type { SeriesSample } from '@loopflow/data';

/**
 * The rows one split's windows are cut from, in a compact store (issue 16): row `j` of the
 * split's rows (its context rows first, then its own) is row `rowOf(j)` of the series, whose
 * column `c` is `value(row, c)`. Windows made from it hold only their start.
 */
export interface WindowSource {
  /** Column `c` of row `row` of the whole series. */
  readonly value: (row: number, c: number) => number;
  /** The series row of the split's row `j`. */
  readonly rowOf: (j: number) => number;
  /** The series row of the split's row 0 (a window starting at split row `s` has `index` `indexBase + s`). */
  readonly indexBase: number;
  readonly lookBack: number;
  readonly horizon: number;
  /** Target rows skipped after the input: `horizon - 1` for targetSteps 'last', else 0. */
  readonly targetSkip: number;
  readonly stride: number;
  readonly inputColumns: readonly number[];
  readonly targetColumns: readonly number[];
}

/**
 * A forecasting window over a {@link WindowSource}: `input` (`[lookBack][inputColumns]`) and
 * `target` (`[horizon][targetColumns]`, or the last of them) are made when read — new arrays
 * each time — so a window held costs its start, not `lookBack` row references.
 */
export class WindowSample implements SeriesSample {
  readonly kind = 'series' as const;

  constructor(
    readonly source: WindowSource,
    /** The window's first row among its split's rows. */
    readonly start: number,
  ) {}

  /** The window's first row in the whole series. */
  get index(): number {
    return this.source.indexBase + this.start;
  }

  get input(): number[][] {
    const s = this.source;
    return rows(s, this.start, s.lookBack, s.inputColumns);
  }

  get target(): number[][] {
    const s = this.source;
    return rows(s, this.start + s.lookBack + s.targetSkip, s.horizon - s.targetSkip, s.targetColumns);
  }
}

function rows(source: WindowSource, first: number, count: number, columns: readonly number[]): number[][] {
  const out: number[][] = new Array(count);
  for (let t = 0; t < count; t++) {
    const row = source.rowOf(first + t);
    const values = new Array<number>(columns.length);
    for (let c = 0; c < columns.length; c++) values[c] = source.value(row, columns[c]);
    out[t] = values;
  }
  return out;
}
