import { isNode, nodeModule } from '@loopflow/tensor';

/** Options of {@link readCsvHeader}. */
export interface ReadCsvHeaderOptions {
  /** Field separator (default `,`). */
  readonly delimiter?: string;
  /** Quote character (default `"`). */
  readonly quote?: string;
  /** Bytes read at most to find the header's end (default 1 MiB). */
  readonly maxBytes?: number;
}

/**
 * The column names in a CSV file's header row (trimmed, as `csvRows` reads them), read
 * synchronously from the start of the file without reading the rest: for checks before a run
 * (a column name the file lacks). Undefined when the file cannot be read or parsed, or its
 * header does not end within `maxBytes`. Node only.
 *
 * @example readCsvHeader('prices.csv') // ['date', 'close']
 */
export function readCsvHeader(file: string, options: ReadCsvHeaderOptions = {}): string[] | undefined {
  const fs = nodeModule('fs');
  const load = isNode() && typeof require === 'function' ? require : undefined;
  if (!fs || !load) return undefined;
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(options.maxBytes ?? 1024 * 1024);
      const bytes = fs.readSync(fd, buffer, 0, buffer.length, 0);
      text = buffer.subarray(0, bytes).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const quote = options.quote ?? '"';
  // the header's end: the first line break outside quotes
  let inQuotes = false;
  let end = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === quote) inQuotes = !inQuotes;
    else if (c === '\n' && !inQuotes) {
      end = i;
      break;
    }
  }
  if (end < 0 && Buffer.byteLength(text) >= (options.maxBytes ?? 1024 * 1024)) return undefined;
  const line = (end < 0 ? text : text.slice(0, end)).replace(/\r$/, '');
  if (line.trim() === '') return undefined;
  try {
    const id = 'csv-parse/sync';
    const { parse } = load(id) as typeof import('csv-parse/sync');
    const records = parse(line, { delimiter: options.delimiter ?? ',', quote, bom: true, relax_column_count: true }) as string[][];
    return records[0]?.map((name) => name.trim());
  } catch {
    return undefined;
  }
}
