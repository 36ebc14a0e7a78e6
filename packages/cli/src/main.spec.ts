import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from './main';
import { fakeIO } from './testing';

let dir: string;
const names = ['anna', 'bob', 'carl', 'dora', 'emil', 'fred', 'gina', 'hans', 'ida', 'jan', 'kai', 'lena', 'max', 'nina', 'otto', 'paul', 'rosa', 'sara', 'tom', 'uwe'];
const definition = (extra: Record<string, unknown> = {}) => ({
  name: 'names',
  seed: 1,
  stages: [
    { stage: 'lines', path: 'data/names.txt' },
    { stage: 'tokenize' },
    { stage: 'random-split', validation: 0.2, test: 0.2 },
    { stage: 'vocabulary' },
    { stage: 'next-token' },
    { stage: 'batch', batchSize: 4 },
    { stage: 'recurrent', cell: 'gru', hiddenSize: 8 },
    { stage: 'train', epochs: 2, optimizer: { kind: 'adam', lr: 0.02 } },
    { stage: 'evaluate' },
  ],
  ...extra,
});
const write = (file: string, value: unknown) => fs.writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-cli-'));
  fs.mkdirSync(path.join(dir, 'data'));
  write('data/names.txt', names.join('\n'));
  write('good.json', definition());
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loopflow main(argv, io): exit codes 0 / 1 / 2', () => {
  it('help is 0; no command, an unknown command or option, and planned commands are 2', async () => {
    let io = fakeIO(dir);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('usage: loopflow <command>');
    expect(await main(['run', '--help'], (io = fakeIO(dir)))).toBe(0);
    expect(io.out()).toContain('--resume <run folder>');
    expect(await main([], (io = fakeIO(dir)))).toBe(2);
    expect(await main(['rnu', 'good.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain("unknown command 'rnu'; did you mean 'run'?");
    expect(await main(['run', 'good.json', '--outt', 'x'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain("hint: did you mean '--out'?");
    expect(await main(['bench'], (io = fakeIO(dir)))).toBe(2);
    expect(await main(['compare', '--help'], (io = fakeIO(dir)))).toBe(0);
    expect(io.out()).toContain('--quick');
    expect(await main(['compare', '--seeds', 'many'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('loopflow compare:');
    expect(await main(['validate'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('missing file');
  });

  it('validate: 0 for a valid file; 2 with every problem (path, line:column, hint) and no stack trace', async () => {
    let io = fakeIO(dir);
    expect(await main(['validate', 'good.json'], io)).toBe(0);
    expect(io.out()).toContain("ok: good.json: 'names', 9 stages");
    const bad = definition();
    (bad.stages[6] as Record<string, unknown>).hidenSize = 8;
    bad.stages[7] = { stage: 'trian', epochs: 2 } as never;
    write('bad.json', bad);
    expect(await main(['validate', 'bad.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toMatch(/^2 problems in bad\.json:/);
    expect(io.err()).toMatch(/bad\.json:\d+:\d+ \/stages\/6\/hidenSize: unknown key 'hidenSize' in stage 'recurrent'/);
    expect(io.err()).toContain("hint: did you mean 'train'?");
    expect(io.err()).not.toMatch(/\n\s+at /);
    write('broken.json', '{ "name": "x", ');
    expect(await main(['validate', 'broken.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('broken.json:1:16 (root): not valid JSON');
    expect(await main(['validate', 'nothing.json'], (io = fakeIO(dir)))).toBe(2);
    // what is missing where, and what is there instead
    expect(io.err()).toContain(`nothing.json: no definition file at ${path.join(dir, 'nothing.json')}: the folder ${dir}/ has no 'nothing.json'`);
    expect(io.err()).toMatch(/hint: .*\/ holds .*bad\.json, broken\.json/);
    expect(await main(['validate', 'brokn.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain(`hint: did you mean ${path.join(dir, 'broken.json')}? `);
    expect(await main(['validate', '.'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toMatch(/is a folder, not a definition file; expected a pipeline definition file \(JSON\)\n\s+hint: pass a definition file in it: .*bad\.json/);
  });

  it.each([
    ['20,000 nested arrays', `{\n  "name": "x",\n  "deep": ${'['.repeat(20_000)}1${']'.repeat(20_000)}\n}`, /hostile\.json:3:266 \/deep(\/0){255}: nested more than 256 levels/],
    ['"__proto__" holding the definition', `{\n  "__proto__": ${JSON.stringify(definition())}\n}`, /hostile\.json:2:3 \/__proto__: unknown key '__proto__'/],
    ['"epochs": 1e999', JSON.stringify(definition(), null, 2).replace('"epochs": 2', '"epochs": 1e999'), /hostile\.json:\d+:\d+ \/stages\/7\/epochs: 1e999 is not a finite number/],
    ['"seed": 1e20', JSON.stringify(definition(), null, 2).replace('"seed": 1', '"seed": 1e20'), /hostile\.json:3:11 \/seed: out of range; expected a value <= 9007199254740991/],
  ])('validate and run: %s is exit 2 with the path and line:column, no stack trace, no run folder', async (_what, text, problem) => {
    write('hostile.json', text);
    const validated = fakeIO(dir);
    expect(await main(['validate', 'hostile.json'], validated)).toBe(2);
    expect(validated.err()).toMatch(problem);
    expect(validated.err()).not.toMatch(/Maximum call stack|\n\s+at /);
    const ran = fakeIO(dir);
    expect(await main(['run', 'hostile.json', '--out', 'hostile-runs'], ran)).toBe(2);
    expect(ran.err()).toBe(validated.err());
    expect(fs.existsSync(path.join(dir, 'hostile-runs'))).toBe(false);
  });

  it('run: 2 with the same problems as validate (path, line:column, hint), and no run folder', async () => {
    const bad = definition();
    (bad.stages[6] as Record<string, unknown>).hidenSize = 8;
    bad.stages[7] = { stage: 'train', epochs: 2, bptt: { stepsPerUpdate: 4, stepsBackward: 2 } } as never; // refused by the train stage's factory
    write('bad-run.json', bad);
    const validated = fakeIO(dir);
    expect(await main(['validate', 'bad-run.json'], validated)).toBe(2);
    expect(validated.err()).toMatch(/^2 problems in bad-run\.json:/);
    expect(validated.err()).toMatch(/bad-run\.json:\d+:\d+ \/stages\/6\/hidenSize: unknown key 'hidenSize'/);
    expect(validated.err()).toMatch(/bad-run\.json:\d+:\d+ \/stages\/7\/bptt\/stepsBackward: train: stepsBackward must be at least stepsPerUpdate/);
    const ran = fakeIO(dir);
    expect(await main(['run', 'bad-run.json', '--out', 'bad-runs'], ran)).toBe(2);
    expect(ran.err()).toBe(validated.err());
    expect(fs.existsSync(path.join(dir, 'bad-runs'))).toBe(false);
  });

  it('run: 0 with a run folder and plain progress; inspect it (0), with samples; inspect a non-run folder (2)', async () => {
    let io = fakeIO(dir);
    expect(await main(['run', 'good.json', '--out', 'runs'], io)).toBe(0);
    const runs = fs.readdirSync(path.join(dir, 'runs'));
    expect(runs).toHaveLength(1);
    const runDir = path.join('runs', runs[0]);
    expect(io.err()).toContain(`run folder: ${runDir}`);
    expect(io.err()).toMatch(/epoch 2\/2 {2}train loss [\d.]+ {2}validation loss [\d.]+/);
    expect(io.out()).toContain('status      completed');
    expect(io.out()).toContain(`report: ${path.join(runDir, 'report.html')}`);

    expect(await main(['inspect', runDir, '--samples', '2', '--max-length', '6', '--temperature', '0.5'], (io = fakeIO(dir)))).toBe(0);
    expect(io.out()).toMatch(/samples:\n {2}.*\n {2}.*\n$/);
    expect(await main(['inspect', runDir, '--forecast', '3'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('--forecast needs a forecasting model; this run trained a language model');
    expect(await main(['inspect', 'data'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('is not a run folder');
  });

  it('run: 1 when the run fails, naming the run folder left behind', async () => {
    write('data/bad.csv', 't,value\n0,1\n1,oops\n');
    write('fails.json', {
      name: 'fails',
      stages: [
        { stage: 'csv', path: 'data/bad.csv' },
        { stage: 'numeric-columns', columns: ['value'] },
        { stage: 'chronological-split' },
        { stage: 'windows', lookBack: 1 },
        { stage: 'batch', batchSize: 2 },
        { stage: 'recurrent', hiddenSize: 2 },
        { stage: 'train', epochs: 1 },
      ],
    });
    const io = fakeIO(dir);
    expect(await main(['run', 'fails.json', '--out', 'failed', '--quiet'], io)).toBe(1);
    expect(io.err()).toContain("run failed: numeric-columns: record 1 column 'value' is the string \"oops\"");
    expect(io.err()).toMatch(/the run folder keeps what was done: failed[/\\]fails-/);
  });

  it('search: a table of 2 trials (one failed) and the best definition; 0 while a trial completed', async () => {
    write('search.json', definition({ search: { parameters: { 'lines.path': { values: ['data/names.txt', 'data/missing.txt'] } } } }));
    const io = fakeIO(dir);
    expect(await main(['search', 'search.json', '--out', 'searches', '--inline'], io)).toBe(0);
    const table = io.out().split('\n');
    expect(table[0]).toMatch(/^rank +trial +lines\.path +validation\.loss +status +run folder$/);
    expect(table[2]).toMatch(/^1 +0 +"data\/names\.txt" +[\d.]+ +ok/);
    expect(table[3]).toMatch(/^- +1 +"data\/missing\.txt" +failed: /);
    expect(io.out()).toMatch(/best: trial 0 \(validation\.loss [\d.]+\); definition written to searches[/\\]names-search-.*[/\\]best\.json/);
    expect(io.err()).toContain('trial 1 failed:');
    expect(await main(['search', 'good.json'], fakeIO(dir))).toBe(2); // no search block
  });
});
