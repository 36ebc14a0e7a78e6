import { Random, Tensor, add, grad, mul, noGrad, sum } from '@loopflow/tensor';
import {
  LayerRunner, RecurrentKind, RecurrentModule, createRecurrent, getLayerRunner, layerParams, recurrentParameters,
  runRecurrent, setLayerRunner,
} from '../index';
import { KIND_CASES, randn } from '../test-helpers';
import { FORCE_SHARED, fusedContext, fusedKernelsAvailable, fusedKernelsInfo, fusedLiveTapes, fusedThreadLimit, fusedWaitForThreads } from './context';
import { fusedLayerRunner } from './runner';

// The fused runner against the composed path (the same module with the runner removed), in
// float32: outputs, final states and the gradient of x, h0, c0 and every parameter.

const KINDS = KIND_CASES;

interface Case {
  hidden: number;
  batch: number;
  steps: number;
  layers: number;
  bidirectional: boolean;
  lengths?: number[];
}

interface Outcome {
  names: string[];
  tensors: Tensor[];
}

/** Runs the module on a seeded input and returns the outputs and every gradient, by name. */
function runCase(module: RecurrentModule, c: Case, seed: number): Outcome {
  const { config, kind } = module;
  const rng = new Random(seed);
  const rows = c.layers * (c.bidirectional ? 2 : 1);
  const x = randn(rng, [c.steps, c.batch, config.inputSize], 'float32', 1, true);
  const h0 = randn(rng, [rows, c.batch, c.hidden], 'float32', 0.5, true);
  const c0 = randn(rng, [rows, c.batch, c.hidden], 'float32', 0.5, true);
  const outWeights = randn(rng, [c.steps, c.batch, c.hidden * (c.bidirectional ? 2 : 1)], 'float32');
  const stateWeights = randn(rng, [rows, c.batch, c.hidden], 'float32');
  const lstm = kind === 'lstm';
  const { output, state } = runRecurrent(module, x, { initialState: lstm ? { h: h0, c: c0 } : { h: h0 }, lengths: c.lengths });
  let loss = add(sum(mul(output, outWeights)), sum(mul(state.h, stateWeights)));
  if (lstm) loss = add(loss, sum(mul(state.c as Tensor, mul(stateWeights, stateWeights))));
  const params = recurrentParameters(module);
  const wrt = [x, h0, ...(lstm ? [c0] : []), ...params.map(([, p]) => p)];
  const grads = grad(loss, wrt);
  const names = ['output', 'h_n', ...(lstm ? ['c_n'] : []), 'grad x', 'grad h0', ...(lstm ? ['grad c0'] : []), ...params.map(([n]) => `grad ${n}`)];
  return { names, tensors: [output, state.h, ...(lstm ? [state.c as Tensor] : []), ...grads] };
}

/** Largest |a - b| relative to the largest |b| of the tensor (plus a floor for all-zero tensors). */
function relativeError(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.size; i++) {
    scale = Math.max(scale, Math.abs(b.data[i]));
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  }
  return worst / Math.max(scale, 1e-3);
}

function withRunner<T>(runner: LayerRunner | null, fn: () => T): T {
  const previous = setLayerRunner(runner);
  try {
    return fn();
  } finally {
    setLayerRunner(previous);
  }
}

/** Checks fused against composed; returns the fused outcome. */
function expectSameAsComposed(kind: RecurrentKind, nonlinearity: 'tanh' | 'relu' | undefined, c: Case, inputSize = 3): Outcome {
  const module = createRecurrent(new Random(c.hidden * 7 + c.batch), {
    kind, inputSize, hiddenSize: c.hidden, numLayers: c.layers, bidirectional: c.bidirectional, nonlinearity,
  });
  const composed = withRunner(null, () => runCase(module, c, 11));
  let calls = 0;
  const counting: LayerRunner = (args) => {
    const result = fusedLayerRunner(args);
    if (result) calls++;
    return result;
  };
  const fused = withRunner(counting, () => runCase(module, c, 11));
  expect(calls).toBe(c.layers * (c.bidirectional ? 2 : 1)); // every layer-direction ran fused
  fused.names.forEach((name, i) => {
    const error = relativeError(fused.tensors[i], composed.tensors[i]);
    if (!(error < 1e-5)) throw new Error(`${kind} ${JSON.stringify(c)}: ${name} differs from the composed path by ${error.toExponential(2)} (relative)`);
  });
  return fused;
}

const available = fusedKernelsAvailable();
const describeFused = available ? describe : describe.skip;

describe('fused kernels', () => {
  it('are built and installed as the default layer runner (npm run build:wasm)', () => {
    expect(available).toBe(true);
    if (process.env['LOOPFLOW_FUSED'] !== '0') expect(getLayerRunner()).toBe(fusedLayerRunner);
  });
});

describeFused('fusedLayerRunner = the composed path (float32)', () => {
  const odd: Case[] = [
    { hidden: 1, batch: 1, steps: 1, layers: 1, bidirectional: false },
    { hidden: 3, batch: 5, steps: 7, layers: 2, bidirectional: true, lengths: [7, 3, 0, 5, 1] },
    { hidden: 17, batch: 5, steps: 7, layers: 1, bidirectional: true, lengths: [2, 7, 7, 4, 6] },
    { hidden: 33, batch: 1, steps: 7, layers: 2, bidirectional: false },
  ];
  for (const [label, kind, nonlinearity] of KINDS) {
    it(`${label}: odd sizes, stacked, bidirectional, variable lengths`, () => {
      for (const c of odd) expectSameAsComposed(kind, nonlinearity, c);
    });
  }

  for (const [label, kind, nonlinearity] of KINDS.filter(([k]) => k !== 'rnn_relu' && k !== 'indrnn_tanh')) {
    it(`${label}: standard shape H=128, B=32 (chunked), 2 layers bidirectional, variable lengths`, () => {
      const lengths = Array.from({ length: 32 }, (_, b) => (b % 5 === 0 ? 6 : 1 + (b % 6)));
      expectSameAsComposed(kind, nonlinearity, { hidden: 128, batch: 32, steps: 6, layers: 2, bidirectional: true, lengths }, 16);
    });
  }

  it('an LSTM with H=48 (3 chunks) and without biases', () => {
    const module = createRecurrent(new Random(5), { kind: 'lstm', inputSize: 4, hiddenSize: 48, bias: false });
    const c: Case = { hidden: 48, batch: 4, steps: 5, layers: 1, bidirectional: false, lengths: [5, 2, 4, 5] };
    const composed = withRunner(null, () => runCase(module, c, 3));
    const fused = withRunner(fusedLayerRunner, () => runCase(module, c, 3));
    fused.tensors.forEach((t, i) => expect(relativeError(t, composed.tensors[i])).toBeLessThan(1e-5));
  });
});

describeFused('fused runner: threads, tapes and declining', () => {
  afterAll(() => fusedThreadLimit(Infinity));

  it('two threads give the same numbers as one, bit for bit', () => {
    const c: Case = { hidden: 64, batch: 32, steps: 9, layers: 1, bidirectional: true, lengths: Array.from({ length: 32 }, (_, b) => 1 + (b % 9)) };
    const helperItems = (): number => (fusedKernelsInfo() as { helperItems: number }).helperItems;
    for (const [, kind, nonlinearity] of KINDS.slice(2, 4)) {
      const module = createRecurrent(new Random(9), { kind, inputSize: 8, hiddenSize: 64, bidirectional: true, nonlinearity });
      fusedThreadLimit(1);
      const one = withRunner(fusedLayerRunner, () => runCase(module, c, 4));
      fusedThreadLimit(FORCE_SHARED);
      if (!fusedWaitForThreads()) return; // one core, or LOOPFLOW_THREADS=1: nothing to compare
      // The helper takes part when it is scheduled in time; on a busy machine that may take a few tries (up to 5 s).
      const joined = helperItems();
      const deadline = Date.now() + 5000;
      for (let attempt = 0; attempt === 0 || (Date.now() < deadline && helperItems() === joined); attempt++) {
        const two = withRunner(fusedLayerRunner, () => runCase(module, c, 4));
        two.tensors.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(one.tensors[i].data)));
      }
      expect(helperItems()).toBeGreaterThan(joined);
    }
  });

  it('a helper asleep for want of jobs is woken by the next shared job (not by its 1 s wait timeout)', () => {
    fusedThreadLimit(FORCE_SHARED);
    if (!fusedWaitForThreads()) return; // one core, or LOOPFLOW_THREADS=1
    const team = fusedContext()!.team;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    // With no jobs the helper stops spinning after a moment and sleeps in Atomics.wait (for up to 1 s at a time).
    const sleepDeadline = Date.now() + 5000;
    while (!team.helperSleeping && Date.now() < sleepDeadline) Atomics.wait(nap, 0, 0, 1);
    expect(team.helperSleeping).toBe(true);
    const module = createRecurrent(new Random(3), { kind: 'lstm', inputSize: 8, hiddenSize: 64 });
    const c: Case = { hidden: 64, batch: 32, steps: 9, layers: 1, bidirectional: false };
    const before = (fusedKernelsInfo() as { helperItems: number }).helperItems;
    const started = Date.now();
    // Woken by Atomics.notify, the helper takes part within a few jobs (milliseconds); were it
    // not notified, only its wait's timeout (1 s) would end its sleep.
    while ((fusedKernelsInfo() as { helperItems: number }).helperItems === before && Date.now() - started < 400) {
      withRunner(fusedLayerRunner, () => runCase(module, c, 1));
    }
    expect((fusedKernelsInfo() as { helperItems: number }).helperItems).toBeGreaterThan(before);
  });

  it('records one autograd node per layer-direction, over xProjected, h0, c0, W_hh and b_hh', () => {
    const module = createRecurrent(new Random(2), { kind: 'lstm', inputSize: 3, hiddenSize: 4 });
    const weights = layerParams(module, 0, false);
    const xProjected = randn(new Random(3), [5, 2, 16], 'float32', 1, true);
    const h0 = randn(new Random(4), [2, 4], 'float32');
    const c0 = randn(new Random(5), [2, 4], 'float32');
    const r = fusedLayerRunner({ kind: 'lstm', weights, xProjected, h0, c0, lengths: null, reverse: false });
    if (!r) throw new Error('declined');
    const fused = r.output.node?.inputs[0];
    expect(fused?.node?.op).toBe('lstm_fused');
    expect(r.h.node?.inputs[0]).toBe(fused);
    expect((r.c as Tensor).node?.inputs[0]).toBe(fused);
    const expected = [xProjected, h0, c0, weights.weightHh, weights.biasHh];
    expect(fused?.node?.inputs.length).toBe(expected.length);
    fused?.node?.inputs.forEach((t, i) => expect(t).toBe(expected[i]));
    expect(fused?.node?.inputs.every((t) => t.node === null)).toBe(true); // nothing recorded per step
  });

  it('keeps a tape until backward, none under noGrad, and recomputes it for a second backward', () => {
    const module = createRecurrent(new Random(2), { kind: 'gru', inputSize: 3, hiddenSize: 5 });
    const x = randn(new Random(3), [4, 2, 3], 'float32', 1, true);
    withRunner(fusedLayerRunner, () => {
      const before = fusedLiveTapes();
      noGrad(() => runRecurrent(module, x));
      expect(fusedLiveTapes()).toBe(before);
      const loss = sum(mul(runRecurrent(module, x).output, runRecurrent(module, x).output));
      expect(fusedLiveTapes()).toBe(before + 2);
      const first = grad(loss, [x, module.weight_hh_l0 as Tensor]);
      expect(fusedLiveTapes()).toBe(before);
      const second = grad(loss, [x, module.weight_hh_l0 as Tensor]); // tapes consumed: recomputed
      first.forEach((g, i) => expect(Array.from(second[i].data)).toEqual(Array.from(g.data)));
    });
  });

  it('gradients through any subset of the outputs (output, h, c) match the composed path', () => {
    const module = createRecurrent(new Random(6), { kind: 'lstm', inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const x = randn(new Random(7), [5, 2, 3], 'float32', 1, true);
    const params = recurrentParameters(module).map(([, p]) => p);
    const losses: ((r: ReturnType<typeof runRecurrent>) => Tensor)[] = [
      (r) => sum(mul(r.output, r.output)),
      (r) => sum(mul(r.state.h, r.state.h)),
      (r) => sum(r.state.c as Tensor),
      (r) => add(sum(r.state.c as Tensor), sum(r.output)),
    ];
    for (const loss of losses) {
      const composed = withRunner(null, () => grad(loss(runRecurrent(module, x)), [x, ...params]));
      const fused = withRunner(fusedLayerRunner, () => grad(loss(runRecurrent(module, x)), [x, ...params]));
      fused.forEach((g, i) => expect(relativeError(g, composed[i])).toBeLessThan(1e-5));
    }
  });

  it('declines float64 and shapes it does not take (the composed path runs)', () => {
    const module = createRecurrent(new Random(1), { kind: 'lstm', inputSize: 2, hiddenSize: 3 }, { dtype: 'float64' });
    const weights = layerParams(module, 0, false);
    const xProjected = randn(new Random(1), [2, 1, 12], 'float64');
    const h0 = randn(new Random(2), [1, 3], 'float64');
    expect(fusedLayerRunner({ kind: 'lstm', weights, xProjected, h0, c0: h0, lengths: null, reverse: false })).toBeNull();
    const f32 = createRecurrent(new Random(1), { kind: 'lstm', inputSize: 2, hiddenSize: 3 });
    const wrongWidth = randn(new Random(1), [2, 1, 9], 'float32');
    const h = randn(new Random(2), [1, 3], 'float32');
    expect(fusedLayerRunner({ kind: 'lstm', weights: layerParams(f32, 0, false), xProjected: wrongWidth, h0: h, c0: h, lengths: null, reverse: false })).toBeNull();
    expect(fusedLayerRunner({ kind: 'lstm', weights: layerParams(f32, 0, false), xProjected: randn(new Random(1), [2, 1, 12], 'float32'), h0: h, c0: null, lengths: null, reverse: false })).toBeNull();
  });
});
