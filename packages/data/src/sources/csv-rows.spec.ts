import { take } from 'rxjs';
import { csvRows } from './csv-rows';
import type { CsvRecord } from './csv-records';
import type { ReadSummary } from './bad-rows';
import { DataError } from '../errors';
import { errorCode, marbles } from '../testing/marbles';

const rec = (line: number, ...fields: string[]): CsvRecord => ({ file: 'p.csv', line, fields });

describe('csvRows', () => {
  it('reads the header, selects and types columns, renames with "as"', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('hab|', { h: rec(1, 'date', 'price', 'note', 'ok'), a: rec(2, '2020-01-02', '1.5', 'x', 'true'), b: rec(3, '2020-01-03', ' -2e1 ', '', 'no') });
      const out = src.pipe(csvRows({ columns: [{ name: 'price', type: 'number', as: 'p' }, { name: 'ok', type: 'boolean' }, 'note', { name: 'date', type: 'date' }] }));
      expectObservable(out).toBe('-ab|', {
        a: { p: 1.5, ok: true, note: 'x', date: Date.UTC(2020, 0, 2) },
        b: { p: -20, ok: false, note: '', date: Date.UTC(2020, 0, 3) },
      });
    });
  });

  it('gives arrays in column order with output "array", and names headerless columns', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ab|', { a: rec(1, '1', '2'), b: rec(2, '3', '4') });
      const out = src.pipe(csvRows({ header: false, output: 'array', columns: [{ name: 'column2', type: 'integer' }, { name: 'column1', type: 'number' }] }));
      expectObservable(out).toBe('ab|', { a: [2, 1], b: [4, 3] });
    });
  });

  it('errors with DATA_BAD_VALUE naming file, line, column, expected and received', () => {
    let error: DataError | undefined;
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('hab|', { h: rec(1, 'a', 'b'), a: rec(2, '1', '2'), b: rec(3, '1', 'abc') });
      expectObservable(src.pipe(csvRows({ columns: [{ name: 'b', type: 'number' }] }), errorCode())).toBe('-a#', { a: { b: 2 } }, 'DATA_BAD_VALUE');
      src.pipe(csvRows({ columns: [{ name: 'b', type: 'number' }] })).subscribe({ error: (e) => (error = e) });
    });
    expect(error?.message).toBe('csvRows: p.csv line 3, column "b" (field 2): expected a finite number, received "abc"; fix the value, or pass onBadRow: \'skip\' to drop the row');
    expect([error?.file, error?.line, error?.column, error?.expected, error?.received]).toEqual(['p.csv', 3, 'b', 'a finite number', 'abc']);
  });

  it('a missing value refused by the column names the missing policies that would read it', () => {
    let error: DataError | undefined;
    marbles().run(({ cold }) => {
      cold('ha|', { h: rec(1, 'a', 'b'), a: rec(2, '1', '') }).pipe(csvRows({ columns: [{ name: 'b', type: 'number' }] })).subscribe({ error: (e) => (error = e) });
    });
    expect(error?.message).toBe('csvRows: p.csv line 2, column "b" (field 2): expected a finite number, received ""; fix the value, give the column a missing policy (missing: \'null\' or \'nan\': what a missing field reads as), or pass onBadRow: \'skip\' to drop the row');
  });

  it('errors with DATA_BAD_ROW on a wrong field count', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ha|', { h: rec(1, 'a', 'b'), a: rec(2, '1', '2', '3') });
      expectObservable(src.pipe(csvRows(), errorCode())).toBe('-#', undefined, 'DATA_BAD_ROW');
    });
  });

  it('errors with DATA_INVALID_ARGUMENT for a column the header lacks', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('h|', { h: rec(1, 'a') }).pipe(csvRows({ columns: ['z'] }), errorCode())).toBe('#', undefined, 'DATA_INVALID_ARGUMENT');
    });
  });

  it('treats missing values by the column policy (null, NaN, error)', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ha|', { h: rec(1, 'a', 'b'), a: rec(2, '', 'NA') });
      const out = src.pipe(csvRows({ missingValues: ['', 'NA'], columns: [{ name: 'a', type: 'number', missing: 'null' }, { name: 'b', type: 'number', missing: 'nan' }] }));
      expectObservable(out).toBe('-a|', { a: { a: null, b: NaN } });
    });
  });

  it('skips bad rows (including malformed-CSV records) with onBadRow "skip" and counts them', () => {
    const summaries: ReadSummary[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const bad: CsvRecord = { file: 'p.csv', line: 4, error: new DataError('DATA_BAD_CSV', 'quote', { file: 'p.csv', line: 4 }) };
      const src = cold('habcd|', { h: rec(1, 'n'), a: rec(2, '1'), b: rec(3, 'x'), c: bad, d: rec(5, '5') });
      const out = src.pipe(csvRows({ columns: [{ name: 'n', type: 'integer' }], onBadRow: 'skip', onSummary: (s) => summaries.push(s) }));
      expectObservable(out).toBe('-a--d|', { a: { n: 1 }, d: { n: 5 } });
    });
    expect(summaries).toEqual([{ file: 'p.csv', rows: 2, skipped: 2, columns: ['n'], errors: [expect.objectContaining({ code: 'DATA_BAD_VALUE', line: 3 }), expect.objectContaining({ code: 'DATA_BAD_CSV', line: 4 })] }]);
  });

  it('reports the counts so far when the consumer stops early (take), and none when the stream fails', () => {
    const summaries: ReadSummary[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('habcd|', { h: rec(1, 'n'), a: rec(2, '1'), b: rec(3, 'x'), c: rec(4, '4'), d: rec(5, '5') });
      const out = src.pipe(csvRows({ columns: [{ name: 'n', type: 'integer' }], onBadRow: 'skip', onSummary: (s) => summaries.push(s) }), take(2));
      expectObservable(out).toBe('-a-(c|)', { a: { n: 1 }, c: { n: 4 } });
    });
    expect(summaries).toEqual([expect.objectContaining({ rows: 2, skipped: 1, columns: ['n'] })]);
    summaries.length = 0;
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('hab|', { h: rec(1, 'n'), a: rec(2, '1'), b: rec(3, 'x') });
      expectObservable(src.pipe(csvRows({ columns: [{ name: 'n', type: 'integer' }], onSummary: (s) => summaries.push(s) }))).toBe('-a#', { a: { n: 1 } }, expect.objectContaining({ code: 'DATA_BAD_VALUE' }));
    });
    expect(summaries).toEqual([]);
  });

  it.each(['0x10', '0b1', '0o7', '1_000', 'Infinity', '1e999', '--1', '1.2.3'])('reads %s in a number column as a bad value, not a number (issue 16)', (text) => {
    for (const type of ['number', 'integer'] as const) {
      marbles().run(({ cold, expectObservable }) => {
        const src = cold('ha|', { h: rec(1, 'n'), a: rec(2, text) });
        expectObservable(src.pipe(csvRows({ columns: [{ name: 'n', type }] }))).toBe('-#', undefined, expect.objectContaining({ code: 'DATA_BAD_VALUE', column: 'n', received: text }));
      });
    }
  });

  it.each([['12', 12], [' -3.5 ', -3.5], ['+.5', 0.5], ['5.', 5], ['1e3', 1000], ['-2E-2', -0.02]])('reads the decimal %j as %d', (text, value) => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ha|', { h: rec(1, 'n'), a: rec(2, text) });
      expectObservable(src.pipe(csvRows({ columns: [{ name: 'n', type: 'number' }] }))).toBe('-a|', { a: { n: value } });
    });
  });

  it('rejects a header naming a column twice', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('h|', { h: rec(1, 'a', 'a') }).pipe(csvRows(), errorCode())).toBe('#', undefined, 'DATA_BAD_ROW');
    });
  });
});

describe('csvRows without a header', () => {
  it('uses the given names, and checks every row against their count', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ab|', { a: rec(1, '1', 'x'), b: rec(2, '2') });
      expectObservable(src.pipe(csvRows({ header: false, names: ['n', 's'], columns: [{ name: 'n', type: 'integer' }, 's'] }), errorCode())).toBe('a#', { a: { n: 1, s: 'x' } }, 'DATA_BAD_ROW');
    });
  });

  it('a column named "__proto__" is an ordinary key of the row, not its prototype', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ha|', { h: rec(1, '__proto__', 'b'), a: rec(2, 'x', '2') });
      expectObservable(src.pipe(csvRows())).toBe('-a|', { a: JSON.parse('{"__proto__": "x", "b": "2"}') });
    });
    const rows: Record<string, unknown>[] = [];
    marbles().run(({ cold }) => cold('ha|', { h: rec(1, '__proto__'), a: rec(2, '1') }).pipe(csvRows()).subscribe((r) => rows.push(r as Record<string, unknown>)));
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(Object.keys(rows[0])).toEqual(['__proto__']);
  });
});
