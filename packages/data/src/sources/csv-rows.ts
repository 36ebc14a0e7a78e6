import { Observable, OperatorFunction } from 'rxjs';
import { DataError, excerpt, formatLocation } from '../errors';
import { BadRowOptions, RowTally } from './bad-rows';
import type { CsvRecord } from './csv-records';

/** How a CSV field is read: text as is, a finite number, an integer, a boolean, or a date (epoch ms). */
export type ColumnType = 'string' | 'number' | 'integer' | 'boolean' | 'date';

/** A parsed CSV value; `null` for a missing value under `missing: 'null'`. */
export type CsvValue = string | number | boolean | null;

/** One selected column: its name in the header, type, optional new name, missing-value policy. */
export interface ColumnSpec {
  readonly name: string;
  /** Default 'string'. */
  readonly type?: ColumnType;
  /** The key in the output row (default: `name`). */
  readonly as?: string;
  /**
   * What an empty (or listed missing) field becomes: 'keep' (default for strings) keeps the
   * text; 'error' (default for other types) makes the row bad; 'null' gives `null`; 'nan'
   * gives `NaN` (numbers and dates only).
   */
  readonly missing?: 'keep' | 'error' | 'null' | 'nan';
}

/** Options of {@link csvRows}. */
export interface CsvRowsOptions extends BadRowOptions {
  /** The first record holds the column names (default true). */
  readonly header?: boolean;
  /** Column names for a file without a header (default `column1`, `column2`, ...). */
  readonly names?: readonly string[];
  /** The columns to keep, in output order, with their types (default: every column, as text). */
  readonly columns?: readonly (string | ColumnSpec)[];
  /** 'object' (default): `{ [as]: value }`; 'array': values in the order of `columns`. */
  readonly output?: 'object' | 'array';
  /** Field texts that mean "missing" (default `['']`). */
  readonly missingValues?: readonly string[];
}

/** A typed CSV row: keyed by column (output 'object') or in column order (output 'array'). */
export type CsvRow = Record<string, CsvValue> | CsvValue[];

interface Plan {
  readonly index: number;
  readonly spec: Required<ColumnSpec>;
}

/**
 * Turns CSV records into typed rows: reads the header, selects columns, parses each field as
 * its column's type. A record with the wrong number of fields (`DATA_BAD_ROW`) or a field
 * that does not parse (`DATA_BAD_VALUE`) is an error naming the file, line and column and
 * what was expected; with `onBadRow: 'skip'` it is skipped and counted in the summary given
 * to `onSummary` at completion.
 *
 * @example
 * csvRecords('co2.csv').pipe(csvRows({ columns: ['Date', { name: 'CO2', type: 'number' }] }))
 * // { Date: '1958-03-01', CO2: 315.7 }, ...
 */
export function csvRows<R extends CsvRow = Record<string, CsvValue>>(options: CsvRowsOptions = {}): OperatorFunction<CsvRecord, R> {
  const header = options.header ?? true;
  const missingValues = new Set(options.missingValues ?? ['']);
  const asArray = options.output === 'array';
  return (source) =>
    new Observable<R>((subscriber) => {
      let names: readonly string[] | undefined = header ? undefined : options.names;
      let plan: Plan[] | undefined;
      let tally: RowTally | undefined;
      let file: string | undefined;
      const fail = (err: unknown): void => {
        tally?.fail();
        subscriber.error(err);
      };
      const subscription = source.subscribe({
        next(record) {
          file = record.file;
          tally ??= new RowTally(options, file);
          let row: R | undefined;
          try {
            if (record.error) {
              tally.bad(record.error);
              return;
            }
            const fields = record.fields ?? [];
            if (names === undefined) {
              if (header) {
                names = checkHeader(fields, record);
                tally.columns = names;
                plan = makePlan(names, options.columns, record);
                return;
              }
              names = fields.map((_, i) => `column${i + 1}`);
            }
            tally.columns ??= names;
            plan ??= makePlan(names, options.columns, record);
            if (fields.length !== names.length) {
              tally.bad(
                new DataError('DATA_BAD_ROW', `csvRows: ${formatLocation({ file: record.file, line: record.line })}: expected ${names.length} fields (${names.join(', ')}), received ${fields.length}; fix the row or pass onBadRow: 'skip'`, {
                  file: record.file,
                  line: record.line,
                  expected: `${names.length} fields`,
                  received: `${fields.length} fields`,
                }),
              );
              return;
            }
            row = typeRow(fields, plan, record, missingValues, asArray, tally) as R | undefined;
          } catch (err) {
            fail(err);
            return;
          }
          if (row !== undefined) {
            tally.row();
            subscriber.next(row);
          }
        },
        error: fail,
        complete() {
          tally ??= new RowTally(options);
          if (names) tally.columns ??= names;
          tally.finish(file);
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        tally?.finish(file); // the consumer stopped early (take): the counts so far
      };
    });
}

function checkHeader(fields: readonly string[], record: CsvRecord): string[] {
  const names = fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new DataError('DATA_BAD_ROW', `csvRows: ${formatLocation({ file: record.file, line: record.line })}: the header names column "${name}" twice; expected distinct column names; rename one`, {
        file: record.file,
        line: record.line,
        column: name,
        expected: 'distinct column names',
        received: names.join(','),
      });
    }
    seen.add(name);
  }
  return names;
}

function makePlan(names: readonly string[], columns: CsvRowsOptions['columns'], record: CsvRecord): Plan[] {
  const specs = (columns ?? names).map((c) => (typeof c === 'string' ? { name: c } : c));
  return specs.map((spec) => {
    const index = names.indexOf(spec.name);
    if (index < 0) {
      throw new DataError('DATA_INVALID_ARGUMENT', `csvRows: ${formatLocation({ file: record.file })} has no column "${spec.name}"; its columns are ${names.map((n) => `"${n}"`).join(', ')}; fix the name in columns`, {
        file: record.file,
        column: spec.name,
        expected: names.join(', '),
        received: spec.name,
      });
    }
    const type = spec.type ?? 'string';
    return { index, spec: { name: spec.name, type, as: spec.as ?? spec.name, missing: spec.missing ?? (type === 'string' ? 'keep' : 'error') } };
  });
}

function typeRow(fields: readonly string[], plan: Plan[], record: CsvRecord, missingValues: Set<string>, asArray: boolean, tally: RowTally): CsvRow | undefined {
  const out: CsvValue[] = [];
  const obj: Record<string, CsvValue> = {};
  for (const { index, spec } of plan) {
    const text = fields[index];
    let value: CsvValue | undefined;
    if (missingValues.has(text.trim())) {
      if (spec.missing === 'null') value = null;
      else if (spec.missing === 'nan' && (spec.type === 'number' || spec.type === 'date')) value = NaN;
      else if (spec.missing === 'keep' && spec.type === 'string') value = text;
    } else value = parseField(text, spec.type);
    if (value === undefined) {
      const where = `${formatLocation({ file: record.file, line: record.line, column: spec.name })} (field ${index + 1})`;
      // a missing value may be read by the column's missing policy; any other bad value only fixed or skipped
      const todo = missingValues.has(text.trim())
        ? `fix the value, give the column a missing policy (missing: ${spec.type === 'number' || spec.type === 'date' ? "'null' or 'nan'" : "'null'"}${spec.type === 'string' ? " or 'keep'" : ''}: what a missing field reads as), or pass onBadRow: 'skip' to drop the row`
        : "fix the value, or pass onBadRow: 'skip' to drop the row";
      tally.bad(
        new DataError('DATA_BAD_VALUE', `csvRows: ${where}: expected ${describe(spec.type)}, received ${excerpt(text)}; ${todo}`, {
          file: record.file,
          line: record.line,
          column: spec.name,
          expected: describe(spec.type),
          received: text,
        }),
      );
      return undefined;
    }
    if (asArray) out.push(value);
    else if (spec.as === '__proto__') Object.defineProperty(obj, spec.as, { value, enumerable: true, writable: true, configurable: true }); // an own key, as JSON.parse makes it
    else obj[spec.as] = value;
  }
  return asArray ? out : obj;
}

/** A decimal number as written in data: sign, digits, point, exponent. Not `0x10`, `0b1`, `Infinity` (which `Number()` reads). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseField(text: string, type: ColumnType): CsvValue | undefined {
  const t = text.trim();
  switch (type) {
    case 'number': {
      const v = Number(t);
      return DECIMAL.test(t) && Number.isFinite(v) ? v : undefined;
    }
    case 'integer': {
      const v = Number(t);
      return DECIMAL.test(t) && Number.isInteger(v) ? v : undefined;
    }
    case 'boolean': {
      const l = t.toLowerCase();
      if (l === 'true' || l === '1' || l === 'yes') return true;
      if (l === 'false' || l === '0' || l === 'no') return false;
      return undefined;
    }
    case 'date': {
      const v = Date.parse(t);
      return Number.isNaN(v) ? undefined : v;
    }
    default:
      return text;
  }
}

function describe(type: ColumnType): string {
  switch (type) {
    case 'number':
      return 'a finite number';
    case 'integer':
      return 'an integer';
    case 'boolean':
      return 'a boolean (true/false, 1/0, yes/no)';
    case 'date':
      return 'a date (e.g. 2020-01-31)';
    default:
      return 'text';
  }
}
