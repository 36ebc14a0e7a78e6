/** The file sources on real temporary files: CSV (csv-parse streaming), JSON lines, text lines. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { readCsv } from './csv-file';
import { csvRecords } from './csv-records';
import { readJsonLines } from './jsonl-file';
import { readLines, readText } from './text-file';
import { fromReadable } from './from-readable';
import type { ReadSummary } from './bad-rows';
import { DataError } from '../errors';

let dir: string;
const write = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};
const failure = async (p: Promise<unknown>): Promise<DataError> => {
  try {
    await p;
  } catch (e) {
    return e as DataError;
  }
  throw new Error('expected the stream to error');
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-data-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readCsv', () => {
  it('streams typed rows, with quoted fields holding delimiters and line breaks', async () => {
    const p = write('a.csv', '\uFEFFid,name,score\n1,"Smith, J",2.5\n2,"two\nlines",3\n\n3,plain,-1\n');
    const rows = await lastValueFrom(readCsv(p, { columns: [{ name: 'id', type: 'integer' }, 'name', { name: 'score', type: 'number' }] }).pipe(toArray()));
    expect(rows).toEqual([
      { id: 1, name: 'Smith, J', score: 2.5 },
      { id: 2, name: 'two\nlines', score: 3 },
      { id: 3, name: 'plain', score: -1 },
    ]);
  });

  it('names file, line and column of a bad value', async () => {
    const p = write('bad.csv', 'a,b\n1,2\n3,x\n');
    const err = await failure(lastValueFrom(readCsv(p, { columns: [{ name: 'b', type: 'number' }] })));
    expect(err.code).toBe('DATA_BAD_VALUE');
    expect([err.file, err.line, err.column]).toEqual([p, 3, 'b']);
    expect(err.message).toContain(`${p} line 3, column "b" (field 2): expected a finite number, received "x"`);
  });

  it('reports a wrong field count with the line', async () => {
    const p = write('count.csv', 'a,b\n1,2\n3\n');
    const err = await failure(lastValueFrom(readCsv(p)));
    expect([err.code, err.line, err.expected, err.received]).toEqual(['DATA_BAD_ROW', 3, '2 fields', '1 fields']);
  });

  it('reports malformed CSV (an unclosed quote) as DATA_BAD_CSV with the line', async () => {
    const p = write('quote.csv', 'a,b\n1,2\n3,"open\n');
    const err = await failure(lastValueFrom(readCsv(p)));
    expect(err.code).toBe('DATA_BAD_CSV');
    expect(err.file).toBe(p);
    expect(err.line).toBe(3); // the line where the open quote starts
    expect(err.column).toBe(3);
    expect(err.message).toContain('CSV_QUOTE_NOT_CLOSED');
  });

  it('skips bad rows with onBadRow "skip" and summarises them', async () => {
    const p = write('skip.csv', 'x,y\n1,2\n3\n4,z\n5,6\n7,8,9\n');
    const summaries: ReadSummary[] = [];
    const rows = await lastValueFrom(
      readCsv(p, { output: 'array', columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'number' }], onBadRow: 'skip', onSummary: (s) => summaries.push(s) }).pipe(toArray()),
    );
    expect(rows).toEqual([[1, 2], [5, 6]]);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ file: p, rows: 2, skipped: 3 });
    expect(summaries[0].errors.map((e) => [e.code, e.line])).toEqual([['DATA_BAD_ROW', 3], ['DATA_BAD_VALUE', 4], ['DATA_BAD_ROW', 6]]);
  });

  it('an unclosed quote is an error even under onBadRow "skip", at the line and column where it opens (issue 16)', async () => {
    const rest = Array.from({ length: 30 }, (_, i) => `${i},${i}`).join('\n');
    const p = write('skipopen.csv', `x,y\n1,2\n3,"open\n${rest}\n`);
    const summaries: ReadSummary[] = [];
    const err = await failure(lastValueFrom(readCsv(p, { onBadRow: 'skip', onSummary: (s) => summaries.push(s) }).pipe(toArray())));
    expect([err.code, err.file, err.line, err.column, err.expected]).toEqual(['DATA_BAD_CSV', p, 3, 3, 'a closing quote']);
    expect(err.message).toMatch(/line 3, column 3: the quote opening this field is never closed, so lines 3-33 \(the rest of the file\) would be read as one field/);
    expect(summaries).toEqual([]); // the stream failed: nothing was counted as a success
  });

  it('a bad closing quote that csv-parse cannot resume after is an error under "skip", at its opening quote', async () => {
    // csv-parse 7.0.3 does not recover from a bad closing quote: it stays inside the quote to the
    // end of the file (CSV_QUOTE_NOT_CLOSED), which would drop every row after it.
    const p = write('skipquote.csv', 'x,y\n1,2\n"a"b,3\n4,5\n6,7\n');
    const err = await failure(lastValueFrom(readCsv(p, { onBadRow: 'skip' }).pipe(toArray())));
    expect([err.code, err.line, err.column]).toEqual(['DATA_BAD_CSV', 3, 1]);
    expect(err.message).toContain('CSV_QUOTE_NOT_CLOSED');
  });

  it('reads from a Readable factory, with a delimiter', async () => {
    const rows = await lastValueFrom(readCsv(() => Readable.from(['a;b\n1;', '2\n']), { delimiter: ';', file: 'gen.csv' }).pipe(toArray()));
    expect(rows).toEqual([{ a: '1', b: '2' }]);
  });

  it('fails with DATA_FILE for a missing file', async () => {
    const err = await failure(lastValueFrom(readCsv(path.join(dir, 'missing.csv'))));
    expect(err.code).toBe('DATA_FILE');
  });

  it('closes the file when the subscriber stops early', async () => {
    const p = write('long.csv', 'n\n' + Array.from({ length: 50000 }, (_, i) => i).join('\n'));
    const first = await lastValueFrom(csvRecords(p, { chunkSize: 1024 }).pipe(take(3), toArray()));
    expect(first.map((r) => r.fields)).toEqual([['n'], ['0'], ['1']]);
  });
});

describe('readJsonLines and readLines', () => {
  it('parses JSON lines with line numbers in errors', async () => {
    const p = write('e.jsonl', '{"a":1}\n\n{"a":2}\n{"a":\n');
    const err = await failure(lastValueFrom(readJsonLines(p)));
    const values = await lastValueFrom(readJsonLines(p, { onBadRow: 'skip' }).pipe(toArray()));
    expect(values).toEqual([{ a: 1 }, { a: 2 }]);
    expect([err.code, err.line]).toEqual(['DATA_BAD_JSON', 4]);
  });

  it('reads lines across small chunks, keeping multi-byte characters whole', async () => {
    const p = write('u.txt', 'Zoë\r\nÅsa\n日本語\nend');
    const lines = await lastValueFrom(readLines(p, { chunkSize: 3 }).pipe(toArray()));
    expect(lines.map((l) => l.text)).toEqual(['Zoë', 'Åsa', '日本語', 'end']);
    expect(lines[2]).toEqual({ file: p, line: 3, text: '日本語' });
    const chunks = await lastValueFrom(readText(p, { chunkSize: 4 }).pipe(toArray()));
    expect(chunks.join('')).toBe('Zoë\r\nÅsa\n日本語\nend');
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('fails with DATA_FILE naming a missing text file', async () => {
    const missing = path.join(dir, 'nope.txt');
    const err = await failure(lastValueFrom(readLines(missing)));
    expect([err.code, err.file]).toEqual(['DATA_FILE', missing]);
  });

  it('fromReadable destroys the stream on unsubscribe', async () => {
    let destroyed = false;
    const stream = new Readable({ read() { this.push('x'); } });
    stream.on('close', () => (destroyed = true));
    const v = await firstValueFrom(fromReadable<Buffer>(() => stream));
    expect(String(v)).toBe('x');
    await new Promise((r) => setImmediate(r));
    expect(destroyed).toBe(true);
  });
});
