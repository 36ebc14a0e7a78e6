import { parseJsonLines } from './parse-json-lines';
import type { ReadSummary } from './bad-rows';
import type { TextLine } from './split-lines';
import { DataError } from '../errors';
import { errorCode, marbles } from '../testing/marbles';

const line = (n: number, text: string): TextLine => ({ file: 'e.jsonl', line: n, text });

describe('parseJsonLines', () => {
  it('parses one value per line and ignores blank lines', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: line(1, '{"x":1}'), b: line(2, '   '), c: line(3, '[2,3]') });
      expectObservable(src.pipe(parseJsonLines())).toBe('a-c|', { a: { x: 1 }, c: [2, 3] });
    });
  });

  it('errors with DATA_BAD_JSON naming file, line and column', () => {
    let error: DataError | undefined;
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('ab|', { a: line(1, '{"x":1}'), b: line(7, '{"x":1,}') });
      expectObservable(src.pipe(parseJsonLines(), errorCode())).toBe('a#', { a: { x: 1 } }, 'DATA_BAD_JSON');
    });
    marbles().run(({ cold }) => {
      cold('b|', { b: line(7, '{"x":1,}') }).pipe(parseJsonLines()).subscribe({ error: (e) => (error = e) });
    });
    expect(error).toBeInstanceOf(DataError);
    expect(error?.file).toBe('e.jsonl');
    expect(error?.line).toBe(7);
    expect(error?.column).toBe(8); // the closing brace after the trailing comma
    expect(error?.message).toMatch(/e\.jsonl line 7, column 8: expected one JSON value per line/);
  });

  it('skips bad lines with onBadRow "skip" and reports the counts at completion', () => {
    const summaries: ReadSummary[] = [];
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcd|', { a: line(1, '1'), b: line(2, 'nope'), c: line(3, '{"y":2}'), d: line(4, '"text"') });
      const out = src.pipe(parseJsonLines({ onBadRow: 'skip', validate: (v) => (typeof v === 'number' || typeof v === 'object' ? null : 'a number or an object'), onSummary: (s) => summaries.push(s) }));
      expectObservable(out).toBe('a-c-|', { a: 1, c: { y: 2 } });
    });
    expect(summaries).toHaveLength(1);
    expect(summaries[0].rows).toBe(2);
    expect(summaries[0].skipped).toBe(2);
    expect(summaries[0].errors.map((e) => e.line)).toEqual([2, 4]);
    expect(summaries[0].errors[1].expected).toBe('a number or an object');
  });

  it('passes an upstream error through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: line(1, '5') }, 'boom').pipe(parseJsonLines())).toBe('a#', { a: 5 }, 'boom');
    });
  });

  it('"__proto__" in a line is an own key of the value, never its prototype (issue 16)', () => {
    const values: Record<string, unknown>[] = [];
    marbles().run(({ cold }) => cold('a|', { a: line(1, '{"__proto__": {"polluted": 1}, "x": 2}') }).pipe(parseJsonLines<Record<string, unknown>>()).subscribe((v) => values.push(v)));
    expect(Object.getPrototypeOf(values[0])).toBe(Object.prototype);
    expect(Object.keys(values[0])).toEqual(['__proto__', 'x']);
    expect((values[0] as { polluted?: number }).polluted).toBeUndefined();
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });
});
