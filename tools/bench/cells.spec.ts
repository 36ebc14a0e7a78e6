/**
 * Keeps the `cells` bench from rotting: a tiny config of the loopflow and tfjs-cpu
 * implementations runs in-process for a couple of iterations and must give well-formed JSON
 * lines and a loss near ln V (random targets, fresh weights); one loopflow case runs through
 * the child-process path; the ratio and target logic is checked on made-up numbers.
 */
import { CaseResult, CaseSpec, IMPLS, ModelSize, TimingPlan } from './cells-config';
import { runCase } from './cells-case';
import { median, timeIterations } from './cells-timing';
import { loadWarning, resultLines, targetLines } from './cells-report';
import { USAGE, cellsBench, parseCellsOptions, planCases, runCaseInChild } from './cells';
import { MATMUL_USAGE, matmulBench } from './matmul';
import { pytorchTable, torchCases, torchVersion, trainingScript } from './cells-pytorch';
import { BenchError } from './errors';

const TINY: ModelSize = { vocab: 8, hidden: 6, steps: 5, batch: 3 };
const TWO_ITERATIONS: TimingPlan = { warmupIterations: 1, warmupSeconds: 0, minIterations: 1, seconds: 0, maxIterations: 1 };

function spec(impl: CaseSpec['impl'], cell: CaseSpec['cell'], mode: CaseSpec['mode']): CaseSpec {
  return { impl, cell, mode, size: TINY, plan: TWO_ITERATIONS, seed: 3 };
}

function expectWellFormed(line: Record<string, unknown>, expected: Pick<CaseResult, 'impl' | 'cell' | 'mode'>): void {
  const parsed = JSON.parse(JSON.stringify(line)) as Record<string, unknown>;
  expect(parsed).toMatchObject({ bench: 'cells', impl: expected.impl, cell: expected.cell, mode: expected.mode });
  expect(IMPLS).toContain(parsed.impl);
  expect(['train', 'infer-b1']).toContain(parsed.mode);
  for (const key of ['steps_per_s', 'best_steps_per_s', 'peak_rss_mb', 'ms_per_iter', 'steps_per_iter', 'iterations', 'steps_per_cpu_s']) {
    expect(typeof parsed[key]).toBe('number');
    expect(parsed[key] as number).toBeGreaterThan(0);
  }
  expect(typeof parsed.path).toBe('string');
}

describe('cells bench', () => {
  // TensorFlow.js greets Node users on stderr ("install our node backend"); keep the test output clean.
  let quiet: jest.SpyInstance;
  beforeAll(() => (quiet = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterAll(() => quiet.mockRestore());

  it('trains a tiny char LM in loopflow and in tfjs-cpu and reports JSON lines', async () => {
    const results: CaseResult[] = [];
    for (const impl of ['loopflow', 'tfjs-cpu'] as const) {
      for (const cell of ['lstm', 'gru', 'rnn'] as const) results.push(await runCase(spec(impl, cell, 'train')));
    }
    const lines = resultLines(results);
    expect(lines).toHaveLength(6);
    lines.forEach((line, i) => {
      expectWellFormed({ ...line }, results[i]);
      expect(line.steps_per_iter).toBe(TINY.steps * TINY.batch);
      // Random next tokens and fresh weights: the mean cross-entropy is close to ln V.
      expect(Math.abs((line.loss as number) - Math.log(TINY.vocab))).toBeLessThan(0.5);
    });
    const loopflowLstm = lines[0];
    expect(loopflowLstm.impl).toBe('loopflow');
    expect(loopflowLstm.vs_tfjs_cpu).toBeCloseTo(results[0].stepsPerSecond / results[3].stepsPerSecond, 1);
    expect(loopflowLstm.target).toBe('15x tfjs-wasm; 60x tfjs-cpu');
    expect(loopflowLstm.target_met).toBeUndefined(); // tfjs-wasm was not measured
    // The path names the layer runner and how many layer calls it took or declined; impl loopflow trains on the dense one-hot input.
    expect(loopflowLstm.path).toMatch(/^backend=\S+ LOOPFLOW_THREADS=\w+ layerRunner=(none\(composed\)|\w+\(took \d+, declined \d+\)) input=one-hot\[T,B,V\]$/);
  }, 20000);

  it('trains the same model on token ids as impl loopflow-tokens, to the dense path\'s loss', async () => {
    for (const cell of ['lstm', 'gru', 'rnn'] as const) {
      const dense = await runCase(spec('loopflow', cell, 'train'));
      const tokens = await runCase(spec('loopflow-tokens', cell, 'train'));
      expect(tokens.path).toMatch(/ input=token-ids$/);
      expect(dense.path).toMatch(/ input=one-hot\[T,B,V\]$/);
      // Same weights, same data, same number of steps: the same loss to float32 rounding.
      expect(tokens.loss).toBeCloseTo(dense.loss as number, 4);
    }
    await expect(runCase(spec('loopflow-tokens', 'lstm', 'infer-b1'))).rejects.toMatchObject({ code: 'BENCH_CASE', message: expect.stringMatching(/infer-b1 is measured as impl loopflow/) });
  }, 20000);

  it('trains the tiny attention model (loopflow only) with a loss near ln V', async () => {
    const result = await runCase(spec('loopflow', 'attention-t64', 'train'));
    expect(result.stepsPerIteration).toBe(TINY.steps * TINY.batch);
    expect(Math.abs((result.loss as number) - Math.log(TINY.vocab))).toBeLessThan(0.5);
    expect(result.path).toMatch(/attention=fused\(multiHeadAttention heads=1 causal\) T=5 B=3$/); // the fused kernels are built here
    expectWellFormed({ ...resultLines([result])[0] }, result);
    await expect(runCase(spec('tfjs-cpu', 'attention-t64', 'train'))).rejects.toMatchObject({ code: 'BENCH_CASE' });
    await expect(runCase(spec('loopflow-tokens', 'attention-t1024', 'train'))).rejects.toMatchObject({ code: 'BENCH_CASE' });
  }, 20000);

  it('streams a tiny batch-1 LSTM in both implementations', async () => {
    for (const impl of ['loopflow', 'tfjs-cpu'] as const) {
      const result = await runCase(spec(impl, 'lstm', 'infer-b1'), 4);
      expect(result.stepsPerIteration).toBe(4);
      expect(result.loss).toBeUndefined();
      expectWellFormed({ ...resultLines([result])[0] }, result);
      expect(result.path).not.toMatch(/non-finite/);
    }
  }, 20000);

  it('runs a case in a child process', async () => {
    const result = await runCaseInChild(spec('loopflow', 'rnn', 'train'));
    expect(result).toMatchObject({ impl: 'loopflow', cell: 'rnn', mode: 'train', stepsPerIteration: 15 });
    expect(result.peakRssMb).toBeGreaterThan(10);
  }, 20000);

  it('computes ratios and compares with the targets', () => {
    const made = (impl: CaseResult['impl'], cell: CaseResult['cell'], mode: CaseResult['mode'], stepsPerSecond: number): CaseResult => ({
      impl, cell, mode, stepsPerSecond, bestStepsPerSecond: stepsPerSecond, secondsPerIteration: 1, iterations: 1, stepsPerIteration: 1, peakRssMb: 1, cpuPerWall: 1, stepsPerCpuSecond: 1, path: '',
    });
    const results = [
      made('loopflow', 'lstm', 'train', 60000),
      made('tfjs-wasm', 'lstm', 'train', 3000), // 20x: met
      made('tfjs-cpu', 'lstm', 'train', 1200), // 50x: below 60x
      made('loopflow', 'lstm', 'infer-b1', 90000),
      made('tfjs-wasm', 'lstm', 'infer-b1', 4000),
      made('tfjs-cpu', 'lstm', 'infer-b1', 5000), // the faster one: 18x, below 20x
    ];
    const lines = resultLines(results);
    expect(lines[0]).toMatchObject({ vs_tfjs_wasm: 20, vs_tfjs_cpu: 50, target_met: false });
    expect(lines[1].vs_tfjs_wasm).toBeUndefined();
    expect(lines[1].vs_tfjs_cpu).toBe(2.5);
    expect(lines[3]).toMatchObject({ vs_tfjs_wasm: 22.5, vs_tfjs_cpu: 18, target_met: false });
    const targets = targetLines(results);
    expect(targets).toHaveLength(3);
    expect(targets[0]).toMatch(/lstm train .*15x tfjs-wasm .*20\.0x .*PASS .*by CPU time: 1\.00x/);
    expect(targets[1]).toMatch(/60x tfjs-cpu .*50\.0x .*below target/);
    expect(targets[2]).toMatch(/18\.0x \(tfjs-cpu\) .*below target/);
    expect(loadWarning(results)).toEqual([]);
    expect(loadWarning([{ ...results[0], cpuPerWall: 0.5 }, results[1]])[0]).toMatch(/1 of 2 cases .*lowest 0\.50/);
    // A target whose loopflow case did not run (or failed) shows as not measured.
    expect(targetLines([made('tfjs-wasm', 'gru', 'train', 3000)])).toEqual([expect.stringMatching(/gru train .*8x tfjs-wasm .*not measured/)]);
  });

  it('warms up, then times per its plan', async () => {
    let calls = 0;
    const timing = await timeIterations(() => void calls++, { warmupIterations: 2, warmupSeconds: 0, minIterations: 3, seconds: 0, maxIterations: 3 });
    expect(calls).toBe(5);
    expect(timing.iterations).toBe(3);
    expect(timing.best).toBeLessThanOrEqual(timing.median);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('parses its options and plans interleaved cases', () => {
    const options = parseCellsOptions(['--cells', 'lstm,gru', '--impl=loopflow,tfjs-cpu', '--quick']);
    expect(options).toEqual({ cells: ['lstm', 'gru'], impls: ['loopflow', 'tfjs-cpu'], modes: ['train', 'infer-b1'], quick: true, pytorch: false, help: false });
    const order = planCases(options).map((c) => `${c.impl}/${c.cell}/${c.mode}`);
    expect(order).toEqual([
      'loopflow/lstm/train', 'tfjs-cpu/lstm/train',
      'loopflow/gru/train', 'tfjs-cpu/gru/train',
      'loopflow/lstm/infer-b1', 'tfjs-cpu/lstm/infer-b1',
    ]);
    expect(planCases(parseCellsOptions(['--cells', 'rnn'])).every((c) => c.mode === 'train')).toBe(true);
    expect(() => parseCellsOptions(['--cells', 'lstm,tcn'])).toThrow(/unknown: tcn/);
    expect(() => parseCellsOptions(['--fast'])).toThrow(/unknown option '--fast'/);
    expect(parseCellsOptions(['--threads', '1']).threads).toBe(1);
    expect(() => parseCellsOptions(['--threads=0'])).toThrow(/--threads/);
    expect(parseCellsOptions(['--hidden', '256']).hidden).toBe(256);
    expect(planCases(parseCellsOptions(['--hidden=64', '--mode', 'infer-b1'])).map((c) => c.size.hidden)).toEqual([64, 64, 64]);
    expect(planCases(parseCellsOptions([]))[0].size).toEqual({ vocab: 64, hidden: 128, steps: 64, batch: 32 });
    for (const bad of ['0', '12.5', 'many', '99999']) expect(() => parseCellsOptions(['--hidden', bad])).toThrow(/option '--hidden' .*expected a whole number of units from 1 to 4096/);
    expect(() => parseCellsOptions(['--hidden'])).toThrow(/option '--hidden' needs a value/);
  });

  it('plans both inputs of loopflow, the attention cases and --pytorch', () => {
    const all = parseCellsOptions([]);
    expect(all.impls).toEqual(['loopflow', 'loopflow-tokens', 'tfjs-wasm', 'tfjs-cpu']);
    expect(all.cells).toEqual(['lstm', 'gru', 'rnn']); // attention only when asked for
    expect(all.pytorch).toBe(false);
    // loopflow-tokens trains only: streaming is impl loopflow's.
    const lstm = planCases(parseCellsOptions(['--cells', 'lstm', '--impl', 'loopflow,loopflow-tokens,tfjs-wasm'])).map((c) => `${c.impl}/${c.mode}`);
    expect(lstm).toEqual(['loopflow/train', 'loopflow-tokens/train', 'tfjs-wasm/train', 'loopflow/infer-b1', 'tfjs-wasm/infer-b1']);
    // `attention` = both configs, each at its T and B, loopflow only, train only.
    const attention = parseCellsOptions(['--cells=attention,lstm,attention-t64']);
    expect(attention.cells).toEqual(['attention-t64', 'attention-t1024', 'lstm']);
    const planned = planCases({ ...attention, cells: ['attention-t64', 'attention-t1024'] });
    expect(planned.map((c) => [c.impl, c.cell, c.mode, c.size.steps, c.size.batch, c.size.hidden])).toEqual([
      ['loopflow', 'attention-t64', 'train', 64, 32, 128],
      ['loopflow', 'attention-t1024', 'train', 1024, 8, 128],
    ]);
    expect(planCases(parseCellsOptions(['--cells', 'attention-t1024', '--hidden', '32', '--impl', 'tfjs-cpu']))).toEqual([]);
    expect(planCases(parseCellsOptions(['--cells', 'attention-t64', '--hidden', '32']))[0].size).toEqual({ vocab: 64, hidden: 32, steps: 64, batch: 32 });
    expect(parseCellsOptions(['--pytorch', '--quick', '--cells', 'gru'])).toMatchObject({ pytorch: true, quick: true, cells: ['gru'] });
    expect(parseCellsOptions(['--help']).help).toBe(true);
    expect(parseCellsOptions(['-h']).help).toBe(true);
  });

  it('rejects bad options with a code and the usage', () => {
    const bad: [string[], RegExp][] = [
      [['--cells', 'attention,tcn'], /option '--cells' "attention,tcn": expected a comma-separated list of .*attention-t64, attention-t1024, attention; unknown: tcn/],
      [['--impl', 'loopflow-dense'], /option '--impl' "loopflow-dense": .*loopflow, loopflow-tokens, tfjs-wasm, tfjs-cpu; unknown: loopflow-dense/],
      [['--input', 'dense'], /unknown option '--input'/],
      [['--pytorch=yes'], /option '--pytorch' takes no value/],
      [['--cells'], /option '--cells' needs a value; e\.g\. --cells LIST/],
      [['--quick', '--impl'], /option '--impl' needs a value/],
      [['--threads', '9'], /option '--threads' needs a whole number from 1 to 8, got 9/],
      [['--hidden', 'many'], /option '--hidden' "many": expected a whole number of units/],
      [['lstm'], /unexpected argument 'lstm'/],
    ];
    for (const [args, message] of bad) {
      let error: unknown;
      try {
        parseCellsOptions(args);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BenchError);
      expect((error as BenchError).code).toBe('BENCH_OPTION');
      expect((error as BenchError).message).toMatch(message);
    }
    expect(USAGE).toMatch(/^usage: npm run bench -- cells .*--pytorch/);
    expect(USAGE).toMatch(/--cells .*attention \(= both attention cases\)/);
  });

  it('prints its usage on --help and runs nothing (cells and matmul)', async () => {
    for (const [bench, usage] of [[cellsBench, USAGE], [matmulBench, MATMUL_USAGE]] as const) {
      const logged: string[] = [];
      const emitted: unknown[] = [];
      const started = Date.now();
      await bench.run({ json: false, args: ['--help'], log: (line) => logged.push(line), emit: (r) => emitted.push(r) });
      expect(logged).toEqual([usage]);
      expect(emitted).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1000); // no case ran
    }
    expect(MATMUL_USAGE).toMatch(/^usage: npm run bench -- matmul .*--sizes=/);
  });

  it('says how to install PyTorch when the python has no torch', async () => {
    const result = await torchVersion('/nonexistent/python3');
    expect(result).toEqual({ missing: expect.stringMatching(/^PyTorch is not available to \/nonexistent\/python3 \(.*\); install it with `apt-get install -y python3-torch libopenblas0-pthread`/) });
  });

  it('lines PyTorch\'s cases up with loopflow\'s', () => {
    const size = { vocab: 64, hidden: 128, steps: 64, batch: 32 };
    const cases = torchCases([
      { cell: 'lstm', mode: 'train', size },
      { cell: 'lstm', mode: 'train', size }, // loopflow-tokens: the same PyTorch case
      { cell: 'attention-t1024', mode: 'train', size: { ...size, steps: 1024, batch: 8 } },
      { cell: 'lstm', mode: 'infer-b1', size },
    ], false);
    expect(cases.map((c) => [c.cell, c.mode, c.reps])).toEqual([['lstm', 'train', 20], ['attention-t1024', 'train', 5], ['lstm', 'infer-b1', 20]]);
    expect(torchCases([{ cell: 'gru', mode: 'train', size }], true)[0].reps).toBe(3);
    expect(trainingScript(cases[1])).toBe('import json, bench_torch as b; print(json.dumps(b.bench("attention", "cpu", threads=2, T=1024, B=8, V=64, H=128, reps=5)))');
    expect(trainingScript(cases[0])).toMatch(/b\.bench\("lstm", "cpu", threads=2, T=64, B=32, V=64, H=128, reps=20\)/);
    const result = (impl: CaseResult['impl'], stepsPerSecond: number): CaseResult => ({
      impl, cell: 'lstm', mode: 'train', stepsPerSecond, bestStepsPerSecond: stepsPerSecond, secondsPerIteration: 1, iterations: 1,
      stepsPerIteration: 2048, peakRssMb: 1, cpuPerWall: 1, stepsPerCpuSecond: 1, path: '',
    });
    const table = pytorchTable([result('loopflow', 50_000), result('loopflow-tokens', 150_000)], [{ cell: 'lstm', mode: 'train', stepsPerSecond: 100_000 }]);
    expect(table[1]).toMatch(/^lstm +train +100,000 +50,000 +0\.50x +150,000 +1\.50x$/);
  });
});
