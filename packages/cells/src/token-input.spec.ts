import { DType, Random, Tensor, add, grad, gradCheck, mul, oneHot, permute, reshape, sum, tensor } from '@loopflow/tensor';
import {
  RecurrentKind, RecurrentModule, createRecurrent, fusedKernelsAvailable, getLayerRunner, layerParams, projectInput, recurrentParameters, runRecurrent,
  runRecurrentTokens, setLayerRunner,
} from './index';
import { projectTokens } from './token-input';
import { randn } from './test-helpers';

// runRecurrentTokens against the dense path on one-hot input (runRecurrent(oneHot(ids))):
// outputs, final states and the gradient of every parameter; and gradCheck in float64.

const KINDS: [string, RecurrentKind, 'tanh' | 'relu' | undefined][] = [
  ['rnn_tanh', 'rnn', 'tanh'],
  ['lstm', 'lstm', undefined],
  ['gru', 'gru', undefined],
  ['indrnn', 'indrnn', 'relu'],
];

function randomIds(rng: Random, count: number, vocab: number): Int32Array {
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) ids[i] = Math.floor(rng.uniform() * vocab);
  return ids;
}

/** Replaces every parameter by the given tensors (in recurrentParameters order). */
function withParams(module: RecurrentModule, params: Tensor[]): RecurrentModule {
  const copy: Record<string, unknown> = { kind: module.kind, config: module.config };
  recurrentParameters(module).forEach(([name], i) => (copy[name] = params[i]));
  return copy as RecurrentModule;
}

interface Outcome {
  output: Tensor;
  h: Tensor;
  grads: Tensor[];
}

/**
 * Runs `module` on `ids` (`shape` as the module's layout) both ways; the loss weighs the
 * outputs and final states with fixed random tensors so every element gets a gradient.
 */
function bothWays(module: RecurrentModule, ids: Int32Array, shape: [number, number], options: { lengths?: number[] } = {}): { tokens: Outcome; dense: Outcome } {
  const dtype: DType = (recurrentParameters(module)[0][1]).dtype;
  const params = recurrentParameters(module).map(([, p]) => p);
  for (const p of params) p.requiresGrad = true;
  const directions = module.config.bidirectional ? 2 : 1;
  const width = directions * module.config.hiddenSize;
  const rng = new Random(99);
  const outWeights = randn(rng, [...shape, width], dtype);
  const stateWeights = randn(rng, [module.config.numLayers * directions, module.config.batchFirst ? shape[0] : shape[1], module.config.hiddenSize], dtype);
  const measure = (r: { output: Tensor; state: { h: Tensor } }): Outcome => {
    const loss = add(sum(mul(r.output, outWeights)), sum(mul(r.state.h, stateWeights)));
    return { output: r.output, h: r.state.h, grads: grad(loss, params) };
  };
  const x = reshape(oneHot(ids, module.config.inputSize, dtype), [...shape, module.config.inputSize]);
  return {
    tokens: measure(runRecurrentTokens(module, { ids, shape }, options)),
    dense: measure(runRecurrent(module, x, options)),
  };
}

/** Largest |a - b| relative to the largest |b| (1 when b is all zero). */
function relDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.size; i++) {
    diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  return diff / (scale || 1);
}

function expectSame(o: { tokens: Outcome; dense: Outcome }, tolerance: number): void {
  expect(o.tokens.output.dtype).toBe(o.dense.output.dtype);
  expect(relDiff(o.tokens.output, o.dense.output)).toBeLessThan(tolerance);
  expect(relDiff(o.tokens.h, o.dense.h)).toBeLessThan(tolerance);
  o.dense.grads.forEach((g, i) => expect(relDiff(o.tokens.grads[i], g)).toBeLessThan(tolerance));
}

describe('runRecurrentTokens = runRecurrent on one-hot input', () => {
  for (const [label, kind, nonlinearity] of KINDS) {
    it(`${label}, float64, 2 layers, bidirectional, lengths`, () => {
      const module = createRecurrent(new Random(1), { kind, inputSize: 7, hiddenSize: 5, numLayers: 2, bidirectional: true, nonlinearity }, { dtype: 'float64' });
      const ids = randomIds(new Random(2), 6 * 3, 7); // T = 6, B = 3: more ids than columns (table path)
      expectSame(bothWays(module, ids, [6, 3], { lengths: [6, 4, 1] }), 1e-13);
    });
  }

  it('float32 LSTM (the fused kernels run the recurrence), stacked and bidirectional', () => {
    const module = createRecurrent(new Random(3), { kind: 'lstm', inputSize: 11, hiddenSize: 16, numLayers: 2, bidirectional: true });
    const ids = randomIds(new Random(4), 9 * 4, 11);
    const runner = getLayerRunner();
    let taken = 0;
    if (runner) setLayerRunner((args) => { const r = runner(args); if (r) taken++; return r; });
    try {
      expectSame(bothWays(module, ids, [9, 4]), 1e-5);
    } finally {
      setLayerRunner(runner);
    }
    if (fusedKernelsAvailable()) expect(taken).toBe(8); // 2 layers x 2 directions, both ways
  });

  it('float32 GRU and RNN, one layer', () => {
    for (const kind of ['gru', 'rnn'] as const) {
      const module = createRecurrent(new Random(5), { kind, inputSize: 13, hiddenSize: 8 });
      expectSame(bothWays(module, randomIds(new Random(6), 7 * 5, 13), [7, 5]), 1e-5);
    }
  });

  it('a large vocabulary with few ids (columns read in place), repeated ids, no bias', () => {
    for (const bias of [true, false]) {
      const module = createRecurrent(new Random(7), { kind: 'lstm', inputSize: 40, hiddenSize: 4, bias }, { dtype: 'float64' });
      const ids = Int32Array.of(3, 39, 3, 0, 3, 17); // T = 3, B = 2 < 40 columns; id 3 three times
      expectSame(bothWays(module, ids, [3, 2]), 1e-13);
    }
  });

  it('batchFirst: ids [B, T] give the batch-first dense result', () => {
    const created = createRecurrent(new Random(8), { kind: 'gru', inputSize: 6, hiddenSize: 4, numLayers: 2 }, { dtype: 'float64' });
    const module = { ...created, config: { ...created.config, batchFirst: true } } as RecurrentModule;
    const ids = randomIds(new Random(9), 3 * 5, 6); // [B = 3, T = 5]
    const o = bothWays(module, ids, [3, 5], { lengths: [5, 2, 3] });
    expect(o.tokens.output.shape).toEqual([3, 5, 8 / 2]);
    expectSame(o, 1e-13);
  });

  it('accepts a tensor of whole numbers, and a mask', () => {
    const module = createRecurrent(new Random(10), { kind: 'rnn', inputSize: 5, hiddenSize: 3 }, { dtype: 'float64' });
    const ids = tensor([[0, 4], [2, 2], [1, 3]]); // [T = 3, B = 2], float32 ids for a float64 module
    const mask = tensor([[1, 1], [1, 1], [1, 0]], undefined, { dtype: 'float64' });
    const a = runRecurrentTokens(module, ids, { mask });
    const b = runRecurrent(module, oneHot(ids, 5, 'float64'), { mask });
    expect(a.output.dtype).toBe('float64');
    expect(relDiff(a.output, b.output)).toBe(0);
    expect(relDiff(a.state.h, b.state.h)).toBe(0);
  });

  it('rejects ids out of range, fractional ids and grids of the wrong shape, naming the place', () => {
    const module = createRecurrent(new Random(11), { kind: 'lstm', inputSize: 4, hiddenSize: 3 });
    const code = expect.objectContaining({ code: 'INPUT_SHAPE' });
    expect(() => runRecurrentTokens(module, { ids: [0, 1, 4, 2], shape: [2, 2] })).toThrow(/token id 4 at \[1,0\] of the \[T, B\] grid is out of range; expected a whole number in \[0, 3\]/);
    expect(() => runRecurrentTokens(module, { ids: [0, 1.5], shape: [1, 2] })).toThrow(code);
    expect(() => runRecurrentTokens(module, { ids: [0, -1], shape: [2, 1] })).toThrow(code);
    expect(() => runRecurrentTokens(module, { ids: [0, 1, 2], shape: [2, 2] })).toThrow(/shape \[2,2\] with 3 ids/);
    expect(() => runRecurrentTokens(module, tensor([0, 1, 2]))).toThrow(code);
    expect(() => runRecurrentTokens(module, { ids: [], shape: [0, 2] })).toThrow(/empty sequence/);
    const params = layerParams(module, 0, false);
    expect(() => projectTokens(params, Int32Array.of(0, 4), [2])).toThrow(/id 4 at position 1 is out of range; expected \[0, 3\]/);
    expect(() => projectTokens(params, Int32Array.of(0, 1), [3])).toThrow(code);
  });
});

describe('token input: gradCheck in float64', () => {
  it('projectTokens alone: dW_ih and db_ih, both layouts (table and in place), ids repeated 1 to 15 times', () => {
    for (const [vocab, count] of [[4, 10], [12, 5], [3, 40]]) {
      const rng = new Random(vocab);
      const w = randn(rng, [6, vocab]);
      const b = randn(rng, [6]);
      const ids = randomIds(rng, count, vocab);
      const fn = (wi: Tensor, bi: Tensor): Tensor => projectTokens({ weightIh: wi, biasIh: bi, weightHh: wi, biasHh: null }, ids, [count]);
      const result = gradCheck(fn, [w, b]);
      expect(result.ok).toBe(true);
      // and it equals the one-hot product
      const dense = projectInput({ weightIh: w, biasIh: b, weightHh: w, biasHh: null }, oneHot(ids, vocab, 'float64'));
      expect(relDiff(fn(w, b), dense)).toBe(0);
    }
  });

  for (const [label, kind, nonlinearity] of KINDS) {
    it(`${label}: whole stack, 2 layers, bidirectional, lengths`, () => {
      const module = createRecurrent(new Random(21), { kind, inputSize: 4, hiddenSize: 3, numLayers: 2, bidirectional: true, nonlinearity }, { dtype: 'float64' });
      const params = recurrentParameters(module).map(([, p]) => p);
      const ids = Int32Array.of(1, 3, 0, 1, 2, 2); // [T = 3, B = 2]
      const fn = (...ps: Tensor[]): Tensor => {
        const r = runRecurrentTokens(withParams(module, ps), { ids, shape: [3, 2] }, { lengths: [3, 2] });
        return add(sum(mul(r.output, r.output)), sum(r.state.h));
      };
      const result = gradCheck(fn, params);
      if (!result.ok) throw new Error(JSON.stringify(result.inputs.filter((r) => r.maxRelError > 1e-5)));
      expect(result.inputs.length).toBe(params.length);
    });
  }
});

describe('token input: first layer parameters', () => {
  it('only the first layer reads the ids; layer 1 projects layer 0 output (same W_ih shapes as dense)', () => {
    const module = createRecurrent(new Random(30), { kind: 'lstm', inputSize: 5, hiddenSize: 2, numLayers: 2 }, { dtype: 'float64' });
    expect(layerParams(module, 1, false).weightIh.shape).toEqual([8, 2]);
    const r = runRecurrentTokens(module, { ids: [1, 2, 3, 4], shape: [4, 1] });
    const dense = runRecurrent(module, permute(reshape(oneHot([1, 2, 3, 4], 5, 'float64'), [1, 4, 5]), [1, 0, 2]));
    expect(relDiff(r.output, dense.output)).toBe(0);
  });
});
