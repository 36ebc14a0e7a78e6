import { concat, defer, EMPTY, Observable, throwError } from 'rxjs';
import { DataError, ReadSummary } from '@loopflow/data';
import type { StageContext } from '../../vocabulary/stage';

/** How many skipped rows' messages a `read` event (and summary.json) keeps. */
export const READ_ERRORS_KEPT = 5;

/**
 * Reports what a file source read: a `read` event (rows kept, rows skipped under
 * `onBadRow: 'skip'`, the first skipped rows' messages) that the run writes to metrics.jsonl,
 * summary.json and the report, and a note when rows were skipped; and, when the file gave
 * no row at all, a `DATA_EMPTY` error naming the file (empty, header only, or every row bad:
 * with the first bad row's line and column) instead of a failure further down the pipeline.
 *
 * @example
 * const read = readReport(ctx, 'csv', o.path);
 * read.check(readCsv(file, { onBadRow: 'skip', onSummary: read.onSummary }))
 */
export function readReport(ctx: StageContext, stage: string, file: string): { onSummary: (summary: ReadSummary) => void; check<T>(source: Observable<T>): Observable<T> } {
  let summary: ReadSummary | undefined;
  return {
    onSummary(s) {
      summary = s;
      const errors = s.errors.slice(0, READ_ERRORS_KEPT).map((e) => e.message);
      ctx.emit({ type: 'read', stage, path: ctx.path, file, rows: s.rows, skipped: s.skipped, errors });
      if (s.skipped > 0) {
        const first = s.errors[0];
        const where = first ? `line ${first.line ?? '?'}${first.column !== undefined ? `, column ${JSON.stringify(first.column)}` : ''}: expected ${first.expected ?? '?'}, received ${JSON.stringify(first.received ?? '?')}` : '?';
        ctx.emit({ type: 'log', message: `${stage} ${file}: skipped ${s.skipped} bad row${s.skipped === 1 ? '' : 's'} of ${s.rows + s.skipped} (onBadRow: 'skip'); the first at ${where}` });
      }
    },
    check: (source) => concat(source, defer(() => (summary && summary.rows === 0 ? throwError(() => emptyError(stage, ctx.path, file, summary as ReadSummary)) : EMPTY))),
  };
}

function emptyError(stage: string, at: string, file: string, s: ReadSummary): DataError {
  const where = `${stage} (${at})`;
  if (s.skipped > 0) {
    const first = s.errors[0];
    return new DataError(
      'DATA_EMPTY',
      `${where}: every row of ${file} is bad: ${s.skipped} skipped (onBadRow: 'skip'), none kept; the first: ${first?.message ?? '?'}`,
      { file, line: first?.line, column: first?.column, expected: 'at least one row that parses', received: `${s.skipped} bad rows` },
    );
  }
  if (s.columns && s.columns.length > 0) {
    return new DataError('DATA_EMPTY', `${where}: ${file} has a header (${s.columns.join(', ')}) but no data rows; expected at least one row after the header; check the file`, {
      file,
      expected: 'at least one data row',
      received: 'a header only',
    });
  }
  return new DataError('DATA_EMPTY', `${where}: ${file} is empty; expected ${stage === 'csv' ? 'a header row and data rows' : 'at least one record'}; check the path and the file`, {
    file,
    expected: 'data',
    received: 'an empty file',
  });
}
