import { DataError } from '../errors';

/** What to do with a row that does not parse: fail the stream (default) or skip and count it. */
export type BadRowPolicy = 'error' | 'skip';

/** How a read went: rows emitted, rows skipped, and the first skipped rows' errors. */
export interface ReadSummary {
  readonly file?: string;
  /** Rows emitted downstream. */
  readonly rows: number;
  /** Rows skipped because they did not parse (only with `onBadRow: 'skip'`). */
  readonly skipped: number;
  /** The errors of the first skipped rows (at most 20), each naming file, line and column. */
  readonly errors: readonly DataError[];
  /** CSV: the column names of the header (or given by `names`); absent when the file held no record at all. */
  readonly columns?: readonly string[];
}

/** Options shared by the row parsers (CSV, JSON lines). */
export interface BadRowOptions {
  /** `'error'` (default): the first bad row errors the stream. `'skip'`: drop it and count it. */
  readonly onBadRow?: BadRowPolicy;
  /**
   * Called once with the counts: when the stream completes, or when the consumer stops
   * early (e.g. `take(n)`); not when the stream fails.
   */
  readonly onSummary?: (summary: ReadSummary) => void;
}

const KEPT_ERRORS = 20;

/** Counts rows and bad rows for one subscription; decides whether a bad row is thrown. */
export class RowTally {
  private rows = 0;
  private skipped = 0;
  private readonly errors: DataError[] = [];
  private reported = false;
  /** CSV: the header's column names, once read. */
  columns?: readonly string[];

  constructor(
    private readonly options: BadRowOptions,
    private readonly file?: string,
  ) {}

  /** Records an emitted row. */
  row(): void {
    this.rows += 1;
  }

  /** Throws `error` under the 'error' policy; counts it under 'skip'. */
  bad(error: DataError): void {
    if ((this.options.onBadRow ?? 'error') === 'error') throw error;
    this.skipped += 1;
    if (this.errors.length < KEPT_ERRORS) this.errors.push(error);
  }

  /** Reports the summary (at completion, or when the consumer stops early), once. */
  finish(file = this.file): void {
    if (this.reported) return;
    this.reported = true;
    this.options.onSummary?.({ file, rows: this.rows, skipped: this.skipped, errors: this.errors.slice(), ...(this.columns ? { columns: this.columns } : {}) });
  }

  /** The stream failed: no summary is reported. */
  fail(): void {
    this.reported = true;
  }
}
