import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, helpText } from '../main';
import { fakeIO } from '../testing';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-cli-queue-'));
  fs.writeFileSync(path.join(dir, 'names.txt'), 'anna\nbob\ncarl\ndora\n');
  const definition = {
    name: 'names',
    stages: [{ stage: 'lines', path: 'names.txt' }, { stage: 'tokenize' }, { stage: 'random-split', validation: 0.25, test: 0.25 }, { stage: 'vocabulary' }, { stage: 'next-token' }, { stage: 'batch', batchSize: 2 }, { stage: 'recurrent', cell: 'gru', hiddenSize: 4 }, { stage: 'train', epochs: 1 }],
    search: { parameters: { 'recurrent.hiddenSize': { values: [4, 6] } } },
  };
  fs.writeFileSync(path.join(dir, 'search.json'), JSON.stringify(definition));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the queue flags and the worker command (no Redis needed)', () => {
  it('help lists worker; worker needs --queue, a redis:// URL, whole numbers', async () => {
    expect(helpText()).toMatch(/worker\s+Take search trials and comparison jobs from a Redis queue/);
    let io = fakeIO(dir);
    expect(await main(['worker'], io)).toBe(2);
    expect(io.err()).toContain('loopflow worker: missing --queue');
    expect(await main(['worker', '--queue', 'http://:pw@h:1'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('the scheme is http, expected redis:// or rediss:// (TLS)');
    expect(io.err()).not.toContain('pw');
    expect(await main(['worker', '--queue', 'redis://h:1', '--concurrency', '0'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--concurrency must be a whole number >= 1, got 0');
  });

  it('search: --artifacts and --attach need --queue; --queue does not go with --parallel; a bad URL is a usage error without its password', async () => {
    let io = fakeIO(dir);
    expect(await main(['search', 'search.json', '--artifacts', 'shared'], io)).toBe(2);
    expect(io.err()).toContain('--artifacts needs --queue');
    expect(await main(['search', 'search.json', '--attach', 'names-search-1'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--attach needs --queue');
    expect(await main(['search', 'search.json', '--queue', 'redis://h:1', '--parallel', '2'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--queue cannot be combined with --parallel');
    expect(await main(['search', 'search.json', '--queue', 'redis://:secret@h:1/x'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('redis://:***@h:1/x: the database x is not a whole number');
    expect(io.err()).not.toContain('secret');
    expect(await main(['search', 'search.json', '--queue', 'redis://h:1', '--attach', '../x'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--attach "../x" is not a search id');
  });

  it('compare: --queue does not go with --inline; --attach needs --queue; no --artifacts', async () => {
    let io = fakeIO(dir);
    expect(await main(['compare', '--tiny', '--queue', 'redis://:secret@h:1', '--inline'], io)).toBe(2);
    expect(io.err()).toContain('--queue cannot be combined with --inline');
    expect(io.err()).not.toContain('secret');
    expect(await main(['compare', '--tiny', '--attach', 'compare-tiny-1'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--attach needs --queue');
    expect(await main(['compare', '--tiny', '--queue', 'redis://h:1', '--artifacts', 'x'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain("unknown option '--artifacts'");
    expect(await main(['compare', '--help'], (io = fakeIO(dir)))).toBe(0);
    expect(io.out()).toContain('--queue <redis://host:port>');
  });
});
