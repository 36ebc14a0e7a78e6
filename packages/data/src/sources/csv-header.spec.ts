import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCsvHeader } from './csv-header';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csv-header-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};

describe('readCsvHeader', () => {
  it('reads the header row only: trimmed names, quotes, a byte-order mark, CRLF, another delimiter', () => {
    expect(readCsvHeader(file('a.csv', '\uFEFFdate, close ,"a, b"\r\n1,2,3\n'))).toEqual(['date', 'close', 'a, b']);
    expect(readCsvHeader(file('b.csv', 'x;y\n1;2\n'), { delimiter: ';' })).toEqual(['x', 'y']);
    expect(readCsvHeader(file('c.csv', '"multi\nline",z\n1,2\n'))).toEqual(['multi\nline', 'z']);
  });

  it('is undefined for a missing or empty file, or a header that does not end within maxBytes', () => {
    expect(readCsvHeader(path.join(dir, 'none.csv'))).toBeUndefined();
    expect(readCsvHeader(file('e.csv', ''))).toBeUndefined();
    expect(readCsvHeader(file('long.csv', `${'x'.repeat(100)}\n1\n`), { maxBytes: 50 })).toBeUndefined();
    expect(readCsvHeader(file('one.csv', 'only,header'))).toEqual(['only', 'header']);
  });
});
