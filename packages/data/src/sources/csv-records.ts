import { Observable } from 'rxjs';
import type { Readable } from 'stream';
import { isNode, nodeModule } from '@loopflow/tensor';
import { DataError, fileError, formatLocation } from '../errors';
import type { BadRowPolicy } from './bad-rows';
import { QuoteTracker } from './quote-tracker';

/**
 * One CSV record as read, before typing: its fields as strings and the line it ends on
 * (1-based; a record with quoted line breaks spans several lines). Under the 'skip' policy a
 * malformed record arrives as `error` instead of `fields`, so the row parser can count it.
 */
export interface CsvRecord {
  readonly file?: string;
  readonly line: number;
  readonly fields?: readonly string[];
  readonly error?: DataError;
}

/** Options of {@link csvRecords}. */
export interface CsvRecordsOptions {
  /** Field separator (default `,`). */
  readonly delimiter?: string;
  /** Quote character (default `"`). */
  readonly quote?: string;
  /** Lines starting with this are comments (default: none). */
  readonly comment?: string;
  /** The file name for messages, when the source is not a path. */
  readonly file?: string;
  /** 'error' (default) fails on malformed CSV; 'skip' passes it on as an error record. */
  readonly onBadRow?: BadRowPolicy;
  /** Bytes read per chunk (default 64 KiB). */
  readonly chunkSize?: number;
}

/** A CSV source: a file path, or a function that opens a Readable of CSV text. */
export type CsvSource = string | (() => Readable);

/**
 * CSV records streamed from a file (or any Readable) through csv-parse's streaming parser.
 * The file is read chunk by chunk as records are consumed (the parser's buffer holds a few
 * records; when it is full, reading pauses), so memory stays bounded; unsubscribing closes
 * the file. Malformed CSV (an unclosed quote, text after a closing quote) is a
 * `DATA_BAD_CSV` error naming the file and line. A quote that is never closed would make
 * the rest of the file one field: that is an error even under `onBadRow: 'skip'`, reported
 * at the line and column where the quote opens (`line`, `column`). Field counts are not
 * checked here but by {@link csvRows}, which knows the header.
 *
 * @example
 * csvRecords('prices.csv').pipe(csvRows({ columns: [{ name: 'price', type: 'number' }] }))
 */
export function csvRecords(source: CsvSource, options: CsvRecordsOptions = {}): Observable<CsvRecord> {
  const file = options.file ?? (typeof source === 'string' ? source : undefined);
  const skip = options.onBadRow === 'skip';
  return new Observable<CsvRecord>((subscriber) => {
    const pending: CsvRecord[] = [];
    // csv-parse checks its options here, before any file is opened.
    const parser = csvParse().parse({
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      comment: options.comment,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: skip,
      bom: true,
    });
    let input: Readable;
    try {
      input = typeof source === 'string' ? nodeFs().createReadStream(source, { highWaterMark: options.chunkSize ?? 64 * 1024 }) : source();
    } catch (err) {
      subscriber.error(err);
      return;
    }
    const quotes = new QuoteTracker(options.delimiter ?? ',', options.quote ?? '"', options.comment);
    parser.on('skip', (err: Error & { code?: string; lines?: number }) => {
      if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
        // not a row to skip: the rest of the file would be lost with it
        subscriber.error(fromCsvError(err, file, quotes));
        return;
      }
      pending.push({ file, line: err.lines ?? 0, error: fromCsvError(err, file) as DataError });
    });
    // Records are drained synchronously on 'readable' (much faster than one await per
    // record); when the subscriber is slow to return, the parser's buffer fills and the
    // pipeline stops reading the file: backpressure without holding the file.
    const flushPendingUpTo = (line: number): void => {
      while (pending.length > 0 && pending[0].line <= line) subscriber.next(pending.shift() as CsvRecord);
    };
    parser.on('readable', () => {
      let item: { record: string[]; info: { lines: number } } | null;
      while (!subscriber.closed && (item = parser.read()) !== null) {
        flushPendingUpTo(item.info.lines);
        subscriber.next({ file, line: item.info.lines, fields: item.record });
      }
    });
    parser.on('end', () => {
      flushPendingUpTo(Infinity);
      subscriber.complete();
    });
    const decoder = new TextDecoder('utf-8');
    const watch = new (nodeStream().Transform)({
      transform(chunk: Buffer | string, _encoding, done) {
        quotes.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
        done(null, chunk);
      },
    });
    nodeStream().pipeline(input, watch, parser, (err) => {
      if (err) subscriber.error(fromCsvError(err, file, quotes));
    });
    return () => {
      if (!input.destroyed) input.destroy();
      if (!watch.destroyed) watch.destroy();
      if (!parser.destroyed) parser.destroy();
    };
  });
}

/** Node's fs, on use (reading a file needs Node; the operators do not). */
function nodeFs(): typeof import('fs') {
  const fs = nodeModule('fs');
  if (!fs) throw new DataError('DATA_FILE', 'reading a CSV file needs Node.js (its fs module); pass a function that opens a Readable instead of a path');
  return fs;
}

/**
 * csv-parse, on use: its main entry extends Node's stream.Transform at its top, so this module
 * (which a page bundles with the package) must not import it. The name is not a literal, so no
 * bundler follows the require; it resolves from this package (csv-parse is its dependency).
 */
function csvParse(): typeof import('csv-parse') {
  const load = isNode() && typeof require === 'function' ? require : undefined;
  if (!load) throw new DataError('DATA_FILE', 'parsing CSV needs Node.js (csv-parse streams through Node\'s stream module); parse the text yourself in a page');
  const id = 'csv-parse';
  return load(id) as typeof import('csv-parse');
}

/** Node's stream module, on use. */
function nodeStream(): typeof import('stream') {
  const stream = nodeModule('stream');
  if (!stream) throw new DataError('DATA_FILE', 'streaming CSV needs Node.js (its stream module)');
  return stream;
}

function fromCsvError(err: unknown, file?: string, quotes?: QuoteTracker): unknown {
  const e = err as Error & { code?: string; lines?: number };
  const opened = quotes?.open ?? quotes?.firstBadClose;
  if (e?.code === 'CSV_QUOTE_NOT_CLOSED' && opened) {
    const where = formatLocation({ file, line: opened.line, column: opened.column });
    const lost = e.lines !== undefined && e.lines > opened.line ? `lines ${opened.line}-${e.lines} (the rest of the file)` : 'the rest of the file';
    return new DataError(
      'DATA_BAD_CSV',
      `csv: ${where}: the quote opening this field is never closed, so ${lost} would be read as one field (${e.code}); expected a closing quote (a quote inside a quoted field is written twice: ""); fix the file (onBadRow: 'skip' does not skip this, as it would drop every row after it)`,
      { file, line: opened.line, column: opened.column, expected: 'a closing quote', received: 'end of file' },
    );
  }
  if (typeof e?.code === 'string' && (e.code.startsWith('CSV_') || e.code === 'INVALID_OPENING_QUOTE')) {
    return new DataError('DATA_BAD_CSV', `csv: ${formatLocation({ file, line: e.lines })}: malformed CSV (${e.code}: ${e.message}); expected fields separated by the delimiter, quoted fields closed by a quote; fix the file or pass onBadRow: 'skip'`, {
      file,
      line: e.lines,
      expected: 'well-formed CSV',
      received: e.code,
    });
  }
  return fileError(err, file);
}
