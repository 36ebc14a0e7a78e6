/** The `browser` bench's options and plan (the bench itself runs Chromium: `npm run bench -- browser`). */
import { BenchError } from './errors';
import { parseBrowserOptions, planBrowserCases } from './browser';
import { STANDARD_SIZE, timingPlan } from './cells-config';

describe('browser bench options', () => {
  it('defaults to every recurrent cell, full timing, no output folder', () => {
    expect(parseBrowserOptions([])).toEqual({ quick: false, cells: ['lstm', 'gru', 'rnn'], impls: ['tfjs-wasm', 'loopflow'], help: false });
    expect(parseBrowserOptions(['--quick', '--cells', 'lstm,gru', '--impl', 'loopflow', '--out', 'x'])).toEqual({ quick: true, cells: ['lstm', 'gru'], impls: ['loopflow'], out: 'x', help: false });
    expect(parseBrowserOptions(['-h']).help).toBe(true);
  });

  it('rejects unknown arguments, unknown cells and a missing value with BENCH_OPTION', () => {
    for (const args of [['--threads', '2'], ['--cells', 'lstm,attention'], ['--impl', 'tfjs-cpu'], ['--out'], ['--cells', '--quick']]) {
      let error: unknown;
      try {
        parseBrowserOptions(args);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BenchError);
      expect((error as BenchError).code).toBe('BENCH_OPTION');
    }
  });

  it('plans tfjs then loopflow, 1 then 2 threads, for each training cell and LSTM streaming, at the standard size', () => {
    expect(planBrowserCases({ quick: true, cells: ['rnn'], impls: ['loopflow'] }).map((c) => `${c.cell} ${c.mode} ${c.impl} ${c.threads}`)).toEqual([
      'rnn train loopflow 1', 'rnn train loopflow 2', 'lstm infer-b1 loopflow 1', 'lstm infer-b1 loopflow 2',
    ]);
    const cases = planBrowserCases({ quick: true, cells: ['lstm', 'gru'], impls: ['tfjs-wasm', 'loopflow'] });
    expect(cases.map((c) => `${c.cell} ${c.mode} ${c.impl} ${c.threads}`)).toEqual([
      'lstm train tfjs-wasm 1', 'lstm train tfjs-wasm 2', 'lstm train loopflow 1', 'lstm train loopflow 2',
      'gru train tfjs-wasm 1', 'gru train tfjs-wasm 2', 'gru train loopflow 1', 'gru train loopflow 2',
      'lstm infer-b1 tfjs-wasm 1', 'lstm infer-b1 tfjs-wasm 2', 'lstm infer-b1 loopflow 1', 'lstm infer-b1 loopflow 2',
    ]);
    for (const c of cases) {
      expect(c.size).toEqual(STANDARD_SIZE);
      expect(c.plan).toEqual(timingPlan(c.impl, c.mode, true));
    }
  });
});
