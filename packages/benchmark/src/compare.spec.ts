import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCompare } from './compare';
import { MODEL_LABELS, RECURRENT_KINDS } from './names';
import type { CompareReport } from './report/types';

/**
 * The quick suite end to end, shortened (`--tiny`: every task, model and measurement of the
 * quick suite at toy sizes, 1 seed), with each job in a worker process as in a real run.
 */
describe('runCompare --tiny (end to end)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-compare-'));
  let report: CompareReport;
  let stderr = '';
  let stdout = '';

  beforeAll(async () => {
    const outcome = await runCompare(
      { suite: 'tiny', seeds: 1, out, parallel: 2 },
      { stderr: { write: (s: string) => (stderr += s), isTTY: false }, stdout: { write: (s: string) => (stdout += s) } },
    );
    report = outcome.report;
    expect(outcome.outDir).toBe(out);
  }, 180_000);

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes the report files', () => {
    for (const f of ['report.md', 'report.html', 'results.json', 'results.jsonl']) expect(fs.statSync(path.join(out, f)).size).toBeGreaterThan(100);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as CompareReport;
    expect(json.format).toBe('loopflow.compare/1');
    expect(json.summary).toEqual(report.summary);
    const lines = fs.readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(report.runs.length + report.scaling.length + 4);
  });

  it('trains every task setting with every model, in worker processes', () => {
    expect(report.failed).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.tasks.map((t) => t.taskId)).toEqual(['adding/T=8', 'adding/T=16', 'copy/delay=2', 'long-context/max=8', 'char-lm/names', 'co2/lookBack=12']);
    expect(report.summary).toHaveLength(6 * 5);
    for (const run of report.runs) {
      expect(run.curve.length).toBeGreaterThan(0);
      expect(Number.isFinite(run.test)).toBe(true);
      expect(run.msPerStep).toBeGreaterThan(0);
      // maxRSS is a running maximum: a toy job may not lift it past what loading the code reached.
      expect(run.rssWorkerBaseBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(run.rssPeakBytes).toBeGreaterThanOrEqual(run.rssWorkerBaseBytes!);
      expect(run.heapPeakBytes).toBeGreaterThan(0); // a fresh process: no other test's garbage in the baseline
    }
    // Equal budgets: within a task setting, every model's count is near the others'.
    for (const taskId of new Set(report.summary.map((r) => r.taskId))) {
      const counts = report.summary.filter((r) => r.taskId === taskId).map((r) => r.parameters);
      expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.25);
    }
    expect(report.groups.filter((g) => g.taskId === 'long-context/max=8')).toHaveLength(5 * 2);
  });

  it('measures scaling: recurrent memory linear in T; attention quadratic when composed, linear when fused', () => {
    expect(report.scaling.map((s) => s.model)).toEqual(['rnn', 'lstm', 'gru', 'indrnn', 'transformer']);
    const attention = report.scaling.find((s) => s.model === 'transformer')!;
    // The fused attention node is taken whenever its kernels load (they do here: the test runs on the WebAssembly build).
    expect(attention.attentionPath).toBe('fused');
    for (const s of report.scaling) {
      expect(s.points.map((p) => p.length)).toEqual([32, 64, 128, 256]);
      expect(s.isolated).toBe(true);
      if (s.model !== 'transformer') {
        expect(s.attentionPath).toBeNull();
        expect(s.memoryFit.exponent).toBeGreaterThan(0.8);
        expect(s.memoryFit.exponent).toBeLessThan(1.2);
      }
    }
    // No T x T scores kept: the transformer's graph grows linearly too (composed, it kept T^2 per head).
    expect(attention.memoryFit.exponent).toBeGreaterThan(0.8);
    expect(attention.memoryFit.exponent).toBeLessThan(1.2);
    expect(report.published.find((c) => c.id === 'scaling-memory')!.measured).toMatch(/fused kernel/);
  });

  it('measures gradient flow at init and after training for each recurrent model', () => {
    const init = report.gradientFlow.filter((c) => c.stage === 'init');
    expect(init.map((c) => c.model)).toEqual([...RECURRENT_KINDS]);
    expect(report.gradientFlow.filter((c) => c.stage === 'trained')).toHaveLength(4);
    for (const c of init) expect(c.layers[0].norms).toHaveLength(32);
  });

  it('sets the published findings against the numbers', () => {
    expect(report.published.map((c) => c.id)).toEqual(['adding-rnn-vs-lstm', 'adding-indrnn-vs-lstm', 'attention-distance', 'scaling-time', 'scaling-memory', 'gradient-flow']);
    for (const c of report.published) expect(['agrees', 'partly', 'differs', 'not tested']).toContain(c.verdict);
    expect(report.published.find((c) => c.id === 'scaling-memory')!.measured).toMatch(/Transformer|transformer/);
  });

  it('renders Markdown with the tables and HTML with the plots; prints progress and the summary', () => {
    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('## Summary');
    expect(md).toContain('## Compared with published results');
    for (const label of Object.values(MODEL_LABELS)) expect(md).toContain(`| ${label} |`);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(9);
    expect(html).not.toContain('plot failed');
    expect(stderr).toMatch(/adding\/T=16\/lstm\/seed=0 step \d+\/6 loss/);
    expect(stdout).toContain('| Task | Setting | Model |');
  });

  it('--rerender rewrites the report from results.json by the current rules, training nothing', async () => {
    const json = path.join(out, 'results.json');
    const saved = JSON.parse(fs.readFileSync(json, 'utf8')) as CompareReport;
    // An older rule's verdicts, as a run made before a rule changed would hold them.
    const stale = { ...saved, published: saved.published.map((c) => ({ ...c, verdict: 'differs' as const, measured: 'stale' })) };
    fs.writeFileSync(json, JSON.stringify(stale));
    fs.writeFileSync(path.join(out, 'report.md'), 'old');
    let printed = '';
    const outcome = await runCompare({ rerender: out }, { stderr: { write: () => true, isTTY: false }, stdout: { write: (s: string) => (printed += s) } });
    expect(outcome.report.published).toEqual(report.published);
    expect(outcome.report.runs).toEqual(saved.runs);
    expect((JSON.parse(fs.readFileSync(json, 'utf8')) as CompareReport).published).toEqual(report.published);
    expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('## Compared with published results');
    expect(printed).toContain(`from the results of ${saved.startedAt}`);
  });

  it('--rerender says what is wrong with a folder that holds no usable results.json', async () => {
    const io = { stderr: { write: () => true, isTTY: false } };
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-rerender-'));
    try {
      await expect(runCompare({ rerender: bad }, io)).rejects.toThrow(/cannot read .*results\.json.*folder of an earlier run/);
      fs.writeFileSync(path.join(bad, 'results.json'), '{"format": "loopflow.compare/1", "summ');
      await expect(runCompare({ rerender: bad }, io)).rejects.toThrow(/not valid JSON.*cut short/);
      fs.writeFileSync(path.join(bad, 'results.json'), '{"format": "something/2", "summary": []}');
      await expect(runCompare({ rerender: bad }, io)).rejects.toThrow(/not a loopflow.compare\/1 result \(format "something\/2", missing groups, scaling, gradientFlow, runs, tasks\)/);
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});
