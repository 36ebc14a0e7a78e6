import { Observable } from 'rxjs';
import { csvRecords, CsvRecordsOptions, CsvSource } from './csv-records';
import { CsvRow, csvRows, CsvRowsOptions, CsvValue } from './csv-rows';

/** Options of {@link readCsv}: the parser's and the row typer's. */
export type ReadCsvOptions = CsvRecordsOptions & CsvRowsOptions;

/**
 * A CSV file (or Readable) streamed as typed rows: csv-parse's streaming parser, then
 * header, column selection and typing ({@link csvRows}). Bad rows error the stream, naming
 * file, line and column, or are skipped and counted with `onBadRow: 'skip'`.
 *
 * @example
 * readCsv('co2.csv', {
 *   columns: ['Date', { name: 'CO2', type: 'number' }],
 *   onBadRow: 'skip',
 *   onSummary: (s) => console.log(`${s.rows} rows, ${s.skipped} skipped`),
 * })
 */
export function readCsv<R extends CsvRow = Record<string, CsvValue>>(source: CsvSource, options: ReadCsvOptions = {}): Observable<R> {
  return csvRecords(source, options).pipe(csvRows<R>(options));
}
