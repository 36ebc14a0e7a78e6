import * as fs from 'fs';
import * as path from 'path';
import { GoldenFormatError } from './errors';
import { listGoldenFiles, loadGolden, parseGolden } from './load';
import { removeFolder, tempFolder } from './test-helpers';

describe('parseGolden', () => {
  it('accepts a valid golden and defaults config to {}', () => {
    const g = parseGolden('{"case":"x","tensors":{"s":{"shape":[],"data":[3]},"m":{"shape":[2,0],"data":[]}}}');
    expect(g).toEqual({ case: 'x', config: {}, tensors: { s: { shape: [], data: [3] }, m: { shape: [2, 0], data: [] } } });
  });

  it.each([
    ['', /^not valid JSON: /],
    ['null', /found null/],
    ['{"case":"","tensors":{}}', /"case" must be a non-empty string, found a string \(empty\)/],
    ['{"case":7,"tensors":{}}', /"case" must be a non-empty string, found a number/],
    ['{"case":"x","tensors":[]}', /"tensors" must be an object/],
    ['{"case":"x","tensors":{}}', /"tensors" is empty/],
    ['{"case":"x","tensors":{"a":[1,2]}}', /tensor 'a': expected \{ "shape": \[...\], "data": \[...\] \}, found an array/],
    ['{"case":"x","tensors":{"a":{"shape":[1.5],"data":[1]}}}', /shape \[1.5\] has an invalid size at position 0/],
    ['{"case":"x","tensors":{"a":{"shape":[2],"data":[[1,2]]}}}', /data has 1 numbers but shape \[2\] holds 2/],
    ['{"case":"x","tensors":{"a":{"shape":[1],"data":[null]}}}', /data\[0\] is null/],
  ])('rejects %j', (text, message) => {
    expect(() => parseGolden(text)).toThrow(GoldenFormatError);
    expect(() => parseGolden(text)).toThrow(message);
  });

  it('lists up to three bad tensors and counts the rest', () => {
    const tensors = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((n) => [n, { shape: [2], data: [1] }]));
    expect(() => parseGolden(JSON.stringify({ case: 'x', tensors }))).toThrow(/tensor 'c': .*; and 2 more$/);
  });
});

describe('listGoldenFiles / loadGolden', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempFolder({ 'b.json': '{}', 'a.json': 'x', 'README.md': '', 'c.JSON': '{}' });
    fs.mkdirSync(path.join(dir, 'sub.json'));
  });
  afterAll(() => removeFolder(dir));

  it('lists the *.json files sorted, not folders or other files', () => {
    expect(listGoldenFiles(dir).map((f) => path.basename(f))).toEqual(['a.json', 'b.json', 'c.JSON']);
  });

  it('returns the reason instead of throwing, with the case name when readable', () => {
    expect(loadGolden(path.join(dir, 'a.json'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not valid JSON/) });
    fs.writeFileSync(path.join(dir, 'd.json'), '{"case":"lstm_L1"}');
    expect(loadGolden(path.join(dir, 'd.json'))).toMatchObject({ ok: false, caseName: 'lstm_L1', reason: expect.stringMatching(/missing the "tensors" field/) });
    expect(loadGolden(path.join(dir, 'missing.json'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^cannot read the file/) });
  });
});
