import { defer, filter, from, map, Observable, take } from 'rxjs';
import { readReport } from './read-report';
import { readCsv, readJsonLines, readLines } from '@loopflow/data';
import { defineStage } from '../../vocabulary/stage';
import type { Item } from '../../vocabulary/items';
import { checkDataFile, dataPath } from '../common/paths';

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
export type CsvColumnOption = string | { name: string; type?: 'string' | 'number' | 'integer' | 'boolean' | 'date'; as?: string };

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
        description: 'Columns to keep, with their types (default: every column, as text).',
        items: {
          anyOf: [
            { type: 'string' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: { type: 'string' },
                type: { enum: ['string', 'number', 'integer', 'boolean', 'date'], default: 'string' },
                as: { type: 'string', description: 'The key in the record (default: name).' },
              },
            },
          ],
        },
      },
      delimiter: { type: 'string', minLength: 1, maxLength: 1, default: ',' },
      onBadRow: { enum: ['error', 'skip'], default: 'error', description: "'skip' drops rows that do not parse (and counts them) instead of failing." },
      limit: limitSchema,
    },
  },
  example: { stage: 'csv', path: 'data/co2.csv', columns: ['Date', { name: 'CO2', type: 'number' }] },
  dataPaths: ['path'],
  check: (o, ctx) => checkDataFile(ctx.baseDir, o.path),
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
      onBadRow: { enum: ['error', 'skip'], default: 'error' },
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
