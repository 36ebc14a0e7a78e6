import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { Readable } from 'stream';
import { DataError } from '../errors';
import { csvRows, ColumnType, CsvValue } from './csv-rows';
import type { CsvRecord } from './csv-records';
import { readCsv } from './csv-file';
import type { ReadSummary } from './bad-rows';

// Property-based tests (issue 16): random CSV never crashes the reader; a row is typed as its
// columns say or is an error with a code, the file, the line and (for a value) the column.

const CODES = new Set(['DATA_BAD_ROW', 'DATA_BAD_VALUE', 'DATA_BAD_CSV', 'DATA_INVALID_ARGUMENT']);
const TYPES: ColumnType[] = ['string', 'number', 'integer', 'boolean', 'date'];

const field = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', ' ', '0x10', '0b1', '1e999', '-0', '1_0', 'NaN', 'Infinity', '+.5', '1e3', '12', '-3.25', 'true', 'no', '2020-01-31', '__proto__', 'constructor'),
  fc.double().map(String),
  fc.integer().map(String),
);

function expectLocated(error: unknown, file: string): void {
  expect(error).toBeInstanceOf(DataError);
  const e = error as DataError;
  expect(CODES.has(e.code)).toBe(true);
  expect(e.file).toBe(file);
  if (e.code !== 'DATA_INVALID_ARGUMENT') expect(e.line).toBeGreaterThanOrEqual(1);
  if (e.code === 'DATA_BAD_VALUE') expect(typeof e.column).toBe('string');
}

function checkTyped(value: CsvValue, type: ColumnType, missing?: string): void {
  if (value === null) return;
  if (missing === 'nan' && (type === 'number' || type === 'date') && Number.isNaN(value)) return; // a missing value, as asked
  if (type === 'number') expect(Number.isFinite(value)).toBe(true);
  if (type === 'integer') expect(Number.isInteger(value)).toBe(true);
  if (type === 'boolean') expect(typeof value).toBe('boolean');
  if (type === 'date') expect(Number.isNaN(value)).toBe(false);
  if (type === 'string') expect(typeof value).toBe('string');
}

describe('CSV typing (property-based)', () => {
  it('csvRows over random records and column types: typed values, or a located error; skip counts every bad row', () => {
    const records = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.array(field, { minLength: 0, maxLength: 5 }), { maxLength: 12 }));
    const types = fc.array(fc.constantFrom(...TYPES), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(records, types, fc.boolean(), fc.constantFrom('null' as const, 'nan' as const, undefined), ([width, rows], kinds, skip, missing) => {
        const names = Array.from({ length: width }, (_, i) => (i === 0 ? '__proto__' : `c${i}`));
        const input: CsvRecord[] = [{ file: 'r.csv', line: 1, fields: names }, ...rows.map((fields, i) => ({ file: 'r.csv', line: i + 2, fields }))];
        const columns = names.map((name, i) => ({ name, type: kinds[i], ...(missing ? { missing } : {}) }));
        const out: unknown[] = [];
        const summaries: ReadSummary[] = [];
        let error: unknown;
        from(input)
          .pipe(csvRows({ columns, onBadRow: skip ? 'skip' : 'error', onSummary: (s) => summaries.push(s) }))
          .subscribe({ next: (r) => out.push(r), error: (e) => (error = e) });
        if (error !== undefined) {
          expect(skip).toBe(false);
          return expectLocated(error, 'r.csv');
        }
        for (const row of out as Record<string, CsvValue>[]) {
          expect(Object.keys(row)).toEqual(names);
          columns.forEach((c) => checkTyped(Object.getOwnPropertyDescriptor(row, c.name)?.value, c.type, missing));
        }
        expect(summaries).toHaveLength(1);
        expect(summaries[0].rows + summaries[0].skipped).toBe(rows.length);
        for (const e of summaries[0].errors) expectLocated(e, 'r.csv');
      }),
      { numRuns: 300 },
    );
  });

  it('readCsv over random text (quotes, delimiters, line ends): rows, or a located error', async () => {
    const piece = fc.constantFrom('a', '1', '2.5', '0x10', ',', ',', '"', '""', '\n', '\r\n', ' ', 'x"y', '\uFEFF');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.boolean(), fc.integer({ min: 1, max: 7 }), async (pieces, skip, chunk) => {
        const text = `a,b\n${pieces.join('')}`;
        const chunks: string[] = [];
        for (let i = 0; i < text.length; i += chunk) chunks.push(text.slice(i, i + chunk));
        try {
          const rows = await lastValueFrom(readCsv(() => Readable.from(chunks), { file: 'g.csv', onBadRow: skip ? 'skip' : 'error', columns: [{ name: 'a', type: 'number' }, 'b'] }).pipe(toArray()));
          for (const row of rows as Record<string, CsvValue>[]) checkTyped(row.a, 'number');
        } catch (e) {
          expectLocated(e, 'g.csv');
        }
      }),
      { numRuns: 150 },
    );
  });
});
