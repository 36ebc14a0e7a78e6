import { defer, filter, from, map, Observable, take } from 'rxjs';
import { readReport } from './read-report';
import { readCsv, readCsvHeader, readJsonLines, readLines } from '@loopflow/data';
import { defineStage } from '../../vocabulary/stage';
import type { Item } from '../../vocabulary/items';
import { checkDataFile, dataPath } from '../common/paths';
import type { StageContext, StageIssue } from '../../vocabulary/stage';
import { closest } from '../../vocabulary/suggest';

/** The column names of a csv stage's file (its header row), or undefined when it cannot be read. */
function headerOf(o: CsvOptions, ctx: StageContext): string[] | undefined {
  return readCsvHeader(dataPath(ctx.baseDir, o.path), { delimiter: o.delimiter });
}

/** Options of the `lines` source. */
export interface LinesOptions {
  path: string;
  skipEmpty?: boolean;
  limit?: number;
}

const limitSchema = { type: 'integer', minimum: 1, description: 'Read at most this many items (for quick trials).' };

/** `lines`: a UTF-8 text file, one text per line. */
export const linesStage = defineStage<LinesOptions>({
  name: 'lines',
  plugin: 'data',
  category: 'source',
  summary: 'Reads a UTF-8 text file, one text per line.',
  input: ['none'],
  output: 'texts',
  schema: {
    type: 'object',
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: "The file, relative to the definition's folder." },
      skipEmpty: { type: 'boolean', default: true, description: 'Skip empty lines.' },
      limit: limitSchema,
    },
  },
  example: { stage: 'lines', path: 'data/names.txt' },
  dataPaths: ['path'],
  check: (o, ctx) => checkDataFile(ctx.baseDir, o.path),
  create: (o, ctx) => () =>
    limited(
      readLines(dataPath(ctx.baseDir, o.path)).pipe(map((line): Item<string> => ({ value: line.text.replace(/\r$/, '') }))),
      o.limit,
      (item) => !(o.skipEmpty ?? true) || item.value.trim() !== '',
    ),
});

/** A column of the `csv` source. */
export type CsvColumnOption = string | { name: string; type?: 'string' | 'number' | 'integer' | 'boolean' | 'date'; as?: string; missing?: 'keep' | 'error' | 'null' | 'nan' };

/** Options of the `csv` source. */
export interface CsvOptions {
  path: string;
  columns?: CsvColumnOption[];
  delimiter?: string;
  onBadRow?: 'error' | 'skip';
  limit?: number;
}

/** `csv`: a CSV file with a header, one record (object) per row. */
export const csvStage = defineStage<CsvOptions>({
  name: 'csv',
  plugin: 'data',
  category: 'source',
  summary: 'Reads a CSV file with a header row; each row becomes a record (an object keyed by column).',
  input: ['none'],
  output: 'records',
  schema: {
    type: 'object',
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: "The file, relative to the definition's folder." },
      columns: {
        type: 'array',
        minItems: 1,
        description:
          'Columns to keep, in this order, with their types (default: every column, as text). Each is a column name (read as text) or an object { name, type, as, missing }. A name the header lacks is an error that lists the columns the file has (validate reads the header).',
        items: {
          anyOf: [
            { type: 'string', description: 'A column name in the header, read as text.' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: { type: 'string', description: 'The column name in the header row (compared after trimming spaces).' },
                type: {
                  enum: ['string', 'number', 'integer', 'boolean', 'date'],
                  default: 'string',
                  description:
                    "How each field is read: 'string' as is; 'number' a finite decimal number (not 0x10, Infinity); 'integer' a whole number; 'boolean' true/false, 1/0, yes/no (any case); 'date' a date Date.parse reads (2024-01-31), as milliseconds since 1970. A field that does not read is a bad row (an error, or dropped with onBadRow: 'skip').",
                },
                as: { type: 'string', description: 'The key in the record (default: name): the name later stages (text-field, numeric-columns) use.' },
                missing: {
                  enum: ['keep', 'error', 'null', 'nan'],
                  description:
                    "What an empty field becomes: 'keep' the empty text (string columns; their default), 'error' a bad row (the default of the other types; an error, or dropped with onBadRow: 'skip'), 'null' a null, 'nan' NaN (number and date columns). numeric-columns and scale need finite numbers, so for them drop such rows with onBadRow: 'skip' instead.",
                },
              },
            },
          ],
        },
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',', description: "The field separator, one character: ',', ';', '\\t' (tab)..." },
      onBadRow: { enum: ['error', 'skip'], default: 'error', description: "'skip' drops rows that do not parse (and counts them) instead of failing." },
      limit: limitSchema,
    },
  },
  example: { stage: 'csv', path: 'data/co2.csv', columns: ['Date', { name: 'CO2', type: 'number' }] },
  dataPaths: ['path'],
  // the record keys: the columns kept (their `as` names), or the whole header
  fields: (o, ctx) => {
    const header = headerOf(o, ctx);
    if (!o.columns) return header;
    // unknown while a column is not in the header (that column's problem says so; the stages after it are not blamed)
    if (!header || o.columns.some((c) => !header.includes((typeof c === 'string' ? c : c.name).trim()))) return undefined;
    return o.columns.map((c) => (typeof c === 'string' ? c : (c.as ?? c.name)));
  },
  check: (o, ctx) => {
    const missing = checkDataFile(ctx.baseDir, o.path);
    if (missing.length || !o.columns) return missing;
    // a column the header lacks, found now rather than when the run reads the file
    const header = headerOf(o, ctx);
    if (!header) return [];
    return o.columns.flatMap((c, i): StageIssue[] => {
      const name = typeof c === 'string' ? c : c.name;
      if (header.includes(name.trim())) return [];
      const near = closest(name, header);
      return [
        {
          path: typeof c === 'string' ? `/columns/${i}` : `/columns/${i}/name`,
          message: `the file ${o.path} has no column '${name}'`,
          expected: `one of its columns: ${header.map((h) => `'${h}'`).join(', ')}`,
          found: `'${name}'`,
          hint: near !== undefined ? `did you mean '${near}'?` : 'name a column of the header row (the first line of the file)',
        },
      ];
    });
  },
  create: (o, ctx) => () =>
    defer(() => {
      const read = readReport(ctx, 'csv', o.path);
      const rows = readCsv(dataPath(ctx.baseDir, o.path), { columns: o.columns, delimiter: o.delimiter, onBadRow: o.onBadRow, onSummary: read.onSummary });
      return read.check(limited(rows.pipe(map((row): Item<unknown> => ({ value: row }))), o.limit));
    }),
});

/** Options of the `json-lines` source. */
export interface JsonLinesOptions {
  path: string;
  onBadRow?: 'error' | 'skip';
  limit?: number;
}

/** `json-lines`: one JSON value per line. */
export const jsonLinesStage = defineStage<JsonLinesOptions>({
  name: 'json-lines',
  plugin: 'data',
  category: 'source',
  summary: 'Reads a JSON-lines file: one JSON value (a record) per line.',
  input: ['none'],
  output: 'records',
  schema: {
    type: 'object',
    required: ['path'],
    properties: {
      path: { type: 'string', minLength: 1, description: "The file, relative to the definition's folder." },
      onBadRow: { enum: ['error', 'skip'], default: 'error', description: "'skip' drops lines that are not valid JSON (and counts them) instead of failing." },
      limit: limitSchema,
    },
  },
  example: { stage: 'json-lines', path: 'data/messages.jsonl' },
  dataPaths: ['path'],
  check: (o, ctx) => checkDataFile(ctx.baseDir, o.path),
  create: (o, ctx) => () =>
    defer(() => {
      const read = readReport(ctx, 'json-lines', o.path);
      const values = readJsonLines(dataPath(ctx.baseDir, o.path), { onBadRow: o.onBadRow, onSummary: read.onSummary });
      return read.check(limited(values.pipe(map((value): Item<unknown> => ({ value }))), o.limit));
    }),
});

/** Options of the `inline` source. */
export interface InlineOptions {
  records: unknown[];
}

/** `inline`: records written in the definition itself (small examples and tests). */
export const inlineStage = defineStage<InlineOptions>({
  name: 'inline',
  plugin: 'data',
  category: 'source',
  summary: 'Records written in the definition itself (for small examples and tests).',
  input: ['none'],
  output: 'records',
  schema: {
    type: 'object',
    required: ['records'],
    properties: { records: { type: 'array', minItems: 1, description: 'The records: strings, numbers, arrays or objects.' } },
  },
  example: { stage: 'inline', records: ['anna', 'bob', 'carl'] },
  create: (o) => () => defer(() => from(o.records.map((value): Item<unknown> => ({ value })))),
});

/** Keeps items passing `keep`, at most `limit` of them. */
function limited<T>(source: Observable<T>, limit?: number, keep: (item: T) => boolean = () => true): Observable<T> {
  const kept = source.pipe(filter(keep));
  return limit === undefined ? kept : kept.pipe(take(limit));
}
