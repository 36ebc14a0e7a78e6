import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCompare } from './compare';
import { BenchmarkError } from './errors';
import type { CompareOptions } from './args';
import type { CompareReport } from './report/types';

const ROOT = path.resolve(__dirname, '../../..');
const quiet = (log: string[] = []) => ({ stderr: { write: (s: string) => log.push(s), isTTY: false } });
/** What must not depend on an interruption: everything but times and memory. */
const sameRuns = (report: CompareReport) => report.runs.map((r) => ({ id: r.id, steps: r.steps, curve: r.curve, test: r.test, stepsToSolve: r.stepsToSolve, stopped: r.stopped, parameters: r.parameters, flowAfter: r.flowAfter }));
const tiny: CompareOptions = { suite: 'tiny', seeds: 1, tasks: ['copy'], models: ['rnn', 'lstm'], isolation: 'inline' };

describe('runCompare --resume', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-resume-'));
  const whole = path.join(root, 'whole');
  let report: CompareReport;
  beforeAll(async () => {
    report = (await runCompare({ ...tiny, out: whole }, quiet())).report;
  }, 120_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('writes run.json: the resolved suite choice', () => {
    const run = JSON.parse(fs.readFileSync(path.join(whole, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ format: 'loopflow.compare-run/1', suite: 'tiny', seeds: 1, tasks: ['copy'], models: ['rnn', 'lstm'], jobs: 6 });
    expect(run.planHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the finished jobs of a cut results.jsonl (a torn last line ignored), runs the rest, and reports as the uninterrupted run', async () => {
    const cut = path.join(root, 'cut');
    fs.mkdirSync(cut);
    fs.copyFileSync(path.join(whole, 'run.json'), path.join(cut, 'run.json'));
    const lines = fs.readFileSync(path.join(whole, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
    fs.writeFileSync(path.join(cut, 'results.jsonl'), `${lines.slice(0, 3).join('\n')}\n${lines[3].slice(0, 40)}`);
    const log: string[] = [];
    const resumed = (await runCompare({ resume: cut, isolation: 'inline' }, quiet(log))).report;
    const text = log.join('');
    const kept = lines.slice(0, 3).map((l) => JSON.parse(l).id as string);
    const started = [...text.matchAll(/\] start (\S+)/g)].map((m) => m[1]);
    expect(started.sort()).toEqual(lines.slice(3).map((l) => JSON.parse(l).id as string).sort());
    for (const id of kept) expect(started).not.toContain(id);
    expect(text).toMatch(/line 4 is not a whole result \(cut short when the run was stopped\); ignored/);
    expect(text).toMatch(/3 of 6 jobs already done \(kept from results\.jsonl\), 3 to run/);
    expect(text).toMatch(/\[4\/6\] done /);
    expect(sameRuns(resumed)).toEqual(sameRuns(report));
    expect(resumed.summary.map((r) => ({ ...r, msPerStep: 0, rssPeakBytes: 0, heapPeakBytes: 0 }))).toEqual(report.summary.map((r) => ({ ...r, msPerStep: 0, rssPeakBytes: 0, heapPeakBytes: 0 })));
    expect(resumed.scaling.map((s) => s.id)).toEqual(report.scaling.map((s) => s.id));
    expect(resumed.gradientFlow.map((c) => [c.model, c.stage])).toEqual(report.gradientFlow.map((c) => [c.model, c.stage]));
    expect(resumed.published.map((c) => c.id)).toEqual(report.published.map((c) => c.id));
    expect(resumed.resumed).toMatchObject({ jobsKept: 3 });
    // results.jsonl now holds every job once, whole
    expect(fs.readFileSync(path.join(cut, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).id).sort()).toEqual(lines.map((l) => JSON.parse(l).id).sort());
    expect(fs.readFileSync(path.join(cut, 'report.md'), 'utf8')).toContain('Resumed: 3 job(s) kept');
  }, 120_000);

  it('says what is wrong with a folder it cannot resume', async () => {
    const bad = path.join(root, 'bad');
    fs.mkdirSync(bad);
    const attempt = async (): Promise<string> => {
      try {
        await runCompare({ resume: bad, isolation: 'inline' }, quiet());
      } catch (e) {
        expect(e).toBeInstanceOf(BenchmarkError);
        return `${(e as BenchmarkError).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(await attempt()).toMatch(/^CANNOT_RESUME: compare --resume: cannot read .*run\.json.*pass the folder of a run that `compare` began/);
    fs.writeFileSync(path.join(bad, 'run.json'), '{"format": "loopflow.compare-run/1", "sui');
    expect(await attempt()).toMatch(/^CANNOT_RESUME: .*not valid JSON/);
    fs.writeFileSync(path.join(bad, 'run.json'), '{"format": "loopflow.compare/1"}');
    expect(await attempt()).toMatch(/^CANNOT_RESUME: .*not a run manifest of this version \(format "loopflow.compare\/1", expected "loopflow.compare-run\/1"/);
    const run = JSON.parse(fs.readFileSync(path.join(whole, 'run.json'), 'utf8'));
    fs.writeFileSync(path.join(bad, 'run.json'), JSON.stringify({ ...run, planHash: '0'.repeat(64) }));
    expect(await attempt()).toMatch(/^RESUME_MISMATCH: .*planned differently \(tiny suite, 6 jobs.*start a new run/);
    fs.writeFileSync(path.join(bad, 'run.json'), JSON.stringify({ ...run, models: ['rnn', 'lstn'] }));
    expect(await attempt()).toMatch(/^UNKNOWN_MODEL: .*'lstn'/);
  });
});

describe('compare.ts on Ctrl-C', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-sigint-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('stops after a job finished, says how to resume (exit 130), and --resume completes the report', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'packages/benchmark/src/bin/compare.ts', '--tiny', '--seeds', '1', '--tasks', 'copy', '--models', 'rnn,lstm', '--parallel', '1', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!sent && /\] done /.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    const message = stderr.trim().split('\n').pop()!;
    expect(message).toMatch(new RegExp(`^compare: interrupted; ([1-5]) of 6 jobs finished, kept in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/results\\.jsonl; resume with: npx ts-node packages/benchmark/src/bin/compare\\.ts --resume \\S+ --parallel 1$`));
    const finished = Number(/; (\d) of 6/.exec(message)![1]);
    const kept = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(kept.filter((r) => r.kind !== 'failed')).toHaveLength(finished);
    expect(fs.existsSync(path.join(out, 'results.json'))).toBe(false);

    const log: string[] = [];
    const { report } = await runCompare({ resume: out, isolation: 'inline' }, quiet(log));
    expect(log.join('')).toContain(`${finished} of 6 jobs already done`);
    expect(report.failed).toEqual([]);
    expect(report.runs.map((r) => r.id)).toEqual(['copy/delay=2/lstm/seed=0', 'copy/delay=2/rnn/seed=0']);
    expect(report.scaling).toHaveLength(2);
    expect(fs.statSync(path.join(out, 'report.md')).size).toBeGreaterThan(100);
  }, 120_000);
});
