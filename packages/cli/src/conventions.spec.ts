/**
 * Command-line conventions: --version anywhere, validate of several files (the worst exit
 * code), --json event streams (every line parses; a result object last), Ctrl-C / SIGTERM
 * (exit 130, a checkpoint, resume continuing the history), and the same through a real child
 * process sent SIGTERM.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from './main';
import { fakeIO } from './testing';
import type { CliIO } from './io';

let dir: string;
const names = ['anna', 'bob', 'carl', 'dora', 'emil', 'fred', 'gina', 'hans', 'ida', 'jan', 'kai', 'lena', 'max', 'nina', 'otto', 'paul', 'rosa', 'sara', 'tom', 'uwe'];
const definition = (epochs = 2) => ({
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
    { stage: 'train', epochs, optimizer: { kind: 'adam', lr: 0.02 } },
    { stage: 'evaluate' },
  ],
});
const write = (file: string, value: unknown) => fs.writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
/** Every stdout line parsed as JSON (throws on a line that is not). */
const jsonLines = (text: string): Record<string, unknown>[] => text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-cli-conv-'));
  fs.mkdirSync(path.join(dir, 'data'));
  write('data/names.txt', names.join('\n'));
  write('good.json', definition());
  write('long.json', definition(4));
  const bad = definition() as { stages: Record<string, unknown>[] };
  bad.stages[6].hidenSize = 8;
  write('bad.json', bad);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--version', () => {
  it.each([[['--version']], [['run', 'good.json', '--version']], [['validate', '--version']], [['bogus', '--version']]])('anywhere on the command line: %j', async (argv) => {
    const io = fakeIO(dir);
    expect(await main(argv, io)).toBe(0);
    expect(io.out()).toBe(`loopflow ${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
  });
  it('but not after --, where it is a file name', async () => {
    const io = fakeIO(dir);
    expect(await main(['validate', '--', '--version'], io)).toBe(2);
    expect(io.err()).toContain('--version');
    expect(io.out()).toBe('');
  });
});

describe('validate of several files', () => {
  it('checks each; the exit code is the worst', async () => {
    let io = fakeIO(dir);
    expect(await main(['validate', 'good.json', 'long.json'], io)).toBe(0);
    expect(io.out().match(/^ok: /gm)).toHaveLength(2);
    expect(await main(['validate', 'good.json', 'bad.json', 'missing.json', 'long.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.out()).toMatch(/^ok: good\.json: .*\nok: long\.json: /);
    expect(io.err()).toMatch(/1 problem in bad\.json:\n {2}bad\.json:\d+:\d+ \/stages\/6\/hidenSize: unknown key/);
    expect(io.err()).toContain('missing.json');
  });
});

describe('--memory-limit', () => {
  // a GRU of 2 x 2048 units: about 1 GB to train (weights, gradients, Adam's two moments)
  const big = (limit?: number) => {
    const d = definition() as { stages: Record<string, unknown>[]; memoryLimitMB?: number };
    d.stages[6] = { stage: 'recurrent', cell: 'gru', hiddenSize: 2048, numLayers: 2 };
    if (limit !== undefined) d.memoryLimitMB = limit;
    return d;
  };
  beforeAll(() => {
    write('big.json', big());
    write('big-limited.json', big(100));
  });

  it("sets validation's memory limit over the definition's memoryLimitMB; run refuses the same way", async () => {
    let io = fakeIO(dir);
    expect(await main(['validate', 'big.json', '--memory-limit', '100'], io)).toBe(2);
    expect(io.err()).toMatch(/big\.json:\d+:\d+ \/stages\/6: recurrent: training this model needs at least [\d.]+ [MG]B of memory, more than the limit of 100 MB \(--memory-limit 100\)/);
    expect(io.err()).toContain('--memory-limit <MB>');
    expect(await main(['validate', 'big-limited.json'], (io = fakeIO(dir)))).toBe(2);
    expect(io.err()).toContain('(memoryLimitMB 100)');
    expect(await main(['validate', 'big-limited.json', '--memory-limit', '100000'], (io = fakeIO(dir)))).toBe(0);
    expect(await main(['run', 'big.json', '--memory-limit', '100', '--out', 'runs-memory', '--json'], (io = fakeIO(dir)))).toBe(2);
    expect(jsonLines(io.out()).pop()).toMatchObject({ type: 'result', command: 'run', exitCode: 2, status: 'invalid', problems: [{ code: 'MEMORY', path: '/stages/6' }] });
    expect(fs.existsSync(path.join(dir, 'runs-memory'))).toBe(false);
  });

  it.each([['0'], ['1.5'], ['lots']])('refuses %s as a usage error (exit 2)', async (value) => {
    const io = fakeIO(dir);
    expect(await main(['validate', 'good.json', '--memory-limit', value], io)).toBe(2);
    expect(io.err()).toContain('--memory-limit');
    expect(io.out()).toBe('');
  });
});

describe('--json', () => {
  it('validate: a validated event per file (problems with line and column), then the result', async () => {
    const io = fakeIO(dir);
    expect(await main(['validate', 'good.json', 'bad.json', '--json'], io)).toBe(2);
    expect(io.err()).toBe('');
    const lines = jsonLines(io.out());
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ type: 'validated', file: 'good.json', ok: true, name: 'names', stages: definition().stages.map((s) => s.stage) });
    expect(lines[1]).toMatchObject({ type: 'validated', file: 'bad.json', ok: false, problems: [{ file: 'bad.json', path: '/stages/6/hidenSize', line: expect.any(Number), column: expect.any(Number), code: expect.any(String) }] });
    expect(lines[2]).toEqual({ type: 'result', command: 'validate', exitCode: 2, files: [{ file: 'good.json', ok: true }, { file: 'bad.json', ok: false }] });
  });

  it('run: every event as a JSON line while running, the result (summary) last; inspect and a usage error too', async () => {
    let io = fakeIO(dir);
    expect(await main(['run', 'good.json', '--out', 'json-runs', '--json'], io)).toBe(0);
    expect(io.err()).toBe('');
    const lines = jsonLines(io.out());
    expect(lines[0]).toMatchObject({ type: 'run-start', runDir: expect.stringContaining('json-runs') });
    expect(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    expect(lines.filter((l) => l.type === 'step').length).toBeGreaterThan(2);
    const result = lines[lines.length - 1];
    expect(result).toMatchObject({ type: 'result', command: 'run', exitCode: 0, status: 'completed', summary: { status: 'completed', epochs: 2 } });
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(1);

    expect(await main(['inspect', result.runDir as string, '--json'], (io = fakeIO(dir)))).toBe(0);
    expect(jsonLines(io.out())).toEqual([expect.objectContaining({ type: 'result', command: 'inspect', exitCode: 0, summary: expect.objectContaining({ status: 'completed' }) })]);

    expect(await main(['run', 'good.json', '--outt', 'x', '--json'], (io = fakeIO(dir)))).toBe(2);
    expect(jsonLines(io.out())).toEqual([{ type: 'result', command: 'run', exitCode: 2, status: 'usage', error: { code: 'USAGE', message: "unknown option '--outt'", hint: "did you mean '--out'?" } }]);
    expect(await main(['run', 'bad.json', '--json'], (io = fakeIO(dir)))).toBe(2);
    expect(jsonLines(io.out())).toEqual([expect.objectContaining({ type: 'result', exitCode: 2, status: 'invalid', problems: [expect.objectContaining({ path: '/stages/6/hidenSize' })] })]);
  });

  it('search: the search events, then the result with the ranked trials', async () => {
    write('search.json', { ...definition(1), search: { parameters: { 'train.optimizer.lr': { values: [0.02, 0.01] } } } });
    const io = fakeIO(dir);
    expect(await main(['search', 'search.json', '--out', 'json-searches', '--inline', '--json'], io)).toBe(0);
    const lines = jsonLines(io.out());
    expect(lines[0]).toMatchObject({ type: 'search-start', trials: 2 });
    expect(lines.filter((l) => l.type === 'trial-done')).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatchObject({ type: 'result', command: 'search', exitCode: 0, status: 'completed', result: { results: [expect.anything(), expect.anything()] } });
  });

  it('compare: a usage error is a result object', async () => {
    const io = fakeIO(dir);
    expect(await main(['compare', '--seeds', 'many', '--json'], io)).toBe(2);
    expect(jsonLines(io.out())).toEqual([{ type: 'result', command: 'compare', exitCode: 2, status: 'usage', error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining("option '--seeds' needs a number, got 'many'") } }]);
  });
});

describe('a diverged run', () => {
  it('fails (exit 1) naming epoch and step; the command its hint gives works once the learning rate is lowered', async () => {
    write('steady.json', definition(2));
    expect(await main(['run', 'steady.json', '--out', 'hot-runs', '--quiet'], fakeIO(dir))).toBe(0);
    const [first] = fs.readdirSync(path.join(dir, 'hot-runs'));
    const hot = definition(4) as { stages: { optimizer?: { lr: number } }[] };
    hot.stages[7].optimizer = { kind: 'adam', lr: 1e6 } as never;
    write('steady.json', hot);
    const failed = fakeIO(dir);
    expect(await main(['run', 'steady.json', '--resume', path.join('hot-runs', first), '--out', 'hot-runs', '--quiet'], failed)).toBe(1);
    expect(failed.err()).toMatch(/run failed: train: the run diverged: the loss is .* more than 10000 times the first step's .* at epoch 3, step \d+ \(batch \d+\)/);
    const hint = /lower optimizer\.lr in the train stage and run loopflow (run steady\.json --resume \S+ --out \S+) \(/.exec(failed.err());
    expect(hint?.[1]).toBe(`run steady.json --resume ${path.join('hot-runs', first)} --out hot-runs`);
    hot.stages[7].optimizer = { kind: 'adam', lr: 0.01 } as never;
    write('steady.json', hot);
    const resumed = fakeIO(dir);
    expect(await main([...(hint?.[1].split(' ') ?? []), '--json'], resumed)).toBe(0);
    const lines = jsonLines(resumed.out());
    expect(lines).toContainEqual({ type: 'log', message: "resumed with the definition's learning rate 0.01 (the checkpoint's was 0.02)" });
    expect((lines.pop() as { summary: { history: { epoch: number; lr: number }[] } }).summary.history.map((h) => [h.epoch, h.lr])).toEqual([[1, 0.02], [2, 0.02], [3, 0.01], [4, 0.01]]);
  });
});

describe('Ctrl-C and SIGTERM', () => {
  it('the first signal stops at a batch boundary with a checkpoint (exit 130); resuming continues the history (epochs 1..4 in one summary)', async () => {
    let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
    const io: CliIO & { err: () => string } = { ...fakeIO(dir), onInterrupt: (h) => ((handler = h), () => (handler = undefined)) };
    const seen = io.stderr.write.bind(io.stderr);
    let sent = false;
    io.stderr = {
      isTTY: false,
      write: (text: string) => {
        seen(text);
        if (!sent && text.startsWith('epoch 2/4')) {
          sent = true;
          handler?.('SIGTERM');
        }
        return true;
      },
    };
    expect(await main(['run', 'long.json', '--out', 'signalled'], io)).toBe(130);
    expect(handler).toBeUndefined(); // removed when the command ended
    const [runName] = fs.readdirSync(path.join(dir, 'signalled'));
    const runDir = path.join('signalled', runName);
    expect(io.err()).toContain('SIGTERM: stopping at the next batch boundary and writing a checkpoint');
    expect(io.err()).toMatch(/interrupted: train: stopped on request after epoch 2 \(step \d+\); the checkpoint '.*epoch-0002' holds it/);
    expect(io.err()).toContain(`resume with: loopflow run long.json --resume ${runDir} --out signalled`);
    const stopped = JSON.parse(fs.readFileSync(path.join(dir, runDir, 'summary.json'), 'utf8'));
    expect(stopped).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' } });

    // the command printed is what the user types: run it as printed
    const printed = /resume with: loopflow (.*)\n/.exec(io.err())?.[1].split(' ') ?? [];
    const resumed = fakeIO(dir);
    expect(await main([...printed, '--json'], resumed)).toBe(0);
    const result = jsonLines(resumed.out()).pop() as { summary: { history: { epoch: number }[]; resumedFrom: { runDir: string } } };
    expect(result.summary.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(result.summary.resumedFrom.runDir).toBe(path.join(dir, runDir));
  });

  it('search: Ctrl-C stops the trials and exits 130, naming the search folder', async () => {
    write('search2.json', { ...definition(50), search: { parameters: { 'train.optimizer.lr': { values: [0.02, 0.01] } } } });
    let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
    const base = fakeIO(dir);
    let sent = false;
    const io: CliIO & { err: () => string } = {
      ...base,
      onInterrupt: (h) => ((handler = h), () => (handler = undefined)),
      stderr: {
        isTTY: false,
        write: (text: string) => {
          base.stderr.write(text);
          if (!sent && text.startsWith('trial 0: epoch 1/')) {
            sent = true;
            handler?.('SIGINT');
          }
          return true;
        },
      },
    };
    expect(await main(['search', 'search2.json', '--out', 'interrupted-searches', '--inline'], io)).toBe(130);
    expect(io.err()).toMatch(/interrupted by SIGINT; the finished trials are in interrupted-searches[/\\]names-search-/);
    expect(handler).toBeUndefined();
  });

  it('compare: Ctrl-C stops the jobs and exits 130 with the command that resumes; run as printed, it completes the report', async () => {
    let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
    const base = fakeIO(dir);
    let sent = false;
    const io: CliIO & { err: () => string } = {
      ...base,
      onInterrupt: (h) => ((handler = h), () => (handler = undefined)),
      stderr: {
        isTTY: false,
        write: (text: string) => {
          base.stderr.write(text);
          if (!sent && /\] done /.test(text)) {
            sent = true;
            handler?.('SIGINT');
          }
          return true;
        },
      },
    };
    expect(await main(['compare', '--tiny', '--seeds', '1', '--tasks', 'copy', '--models', 'rnn,lstm', '--inline', '--out', 'stopped-compare'], io)).toBe(130);
    expect(handler).toBeUndefined();
    const out = path.join(dir, 'stopped-compare');
    expect(io.err()).toContain(`loopflow compare: interrupted; 1 of 6 jobs finished, kept in ${path.join(out, 'results.jsonl')}; resume with: loopflow compare --resume ${out} --inline`);
    const printed = /resume with: loopflow (.*)\n/.exec(io.err())?.[1].split(' ') ?? [];
    const resumed = fakeIO(dir);
    expect(await main([...printed, '--json'], resumed)).toBe(0);
    const lines = jsonLines(resumed.out());
    expect(lines).toContainEqual(expect.objectContaining({ type: 'log', message: expect.stringContaining('1 of 6 jobs already done') }));
    expect(lines.pop()).toMatchObject({ type: 'result', command: 'compare', exitCode: 0, status: 'completed', failed: [] });
    expect(fs.existsSync(path.join(out, 'report.md'))).toBe(true);
  }, 60_000);

  it('compare: --resume of a folder without run.json is a usage error; --queue cannot resume', async () => {
    let io = fakeIO(dir);
    expect(await main(['compare', '--resume', '.'], io)).toBe(2);
    expect(io.err()).toMatch(/loopflow compare: compare --resume: cannot read .*run\.json/);
    io = fakeIO(dir);
    expect(await main(['compare', '--resume', '.', '--queue', 'redis://localhost:1'], io)).toBe(2);
    expect(io.err()).toContain('--queue cannot be combined with --resume');
  });

  it('a real `loopflow run` process sent SIGTERM exits 130 with a checkpoint written and the summary interrupted', async () => {
    write('slow.json', definition(200));
    const bin = path.join(__dirname, '..', 'bin', 'loopflow.js');
    const child = spawn(process.execPath, [bin, 'run', 'slow.json', '--out', 'killed'], { cwd: dir, env: { ...process.env, CI: '1' } });
    let stderr = '';
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (chunk: Buffer) => {
      const before = stderr;
      stderr += chunk.toString();
      if (!/epoch 1\//.test(before) && /epoch 1\//.test(stderr)) child.kill('SIGTERM');
    });
    expect(await exit).toBe(130);
    expect(stderr).toContain('SIGTERM: stopping at the next batch boundary');
    expect(stderr).toMatch(/resume with: loopflow run slow\.json --resume killed[/\\]names-\S+ --out killed\n/);
    const [runName] = fs.readdirSync(path.join(dir, 'killed'));
    const runDir = path.join(dir, 'killed', runName);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).status).toBe('interrupted');
    const checkpoints = fs.readdirSync(path.join(runDir, 'checkpoints'));
    expect(checkpoints.length).toBeGreaterThan(0);
    expect(checkpoints.every((c) => fs.existsSync(path.join(runDir, 'checkpoints', c, 'trainer.json')))).toBe(true);
  }, 60_000);
});
