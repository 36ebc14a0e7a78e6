import { Random, Tensor, add, grad, mul, sum } from '@loopflow/tensor';
import {
  CellParams, LayerRunner, LayerRunnerArgs, createRecurrent, layerParams, projectInput, recurrentParameters, runLayerDirection,
  runRecurrent, setLayerRunner,
} from '../index';
import { KIND_CASES, randn } from '../test-helpers';
import { fusedKernelsAvailable } from './context';
import { fusedLayerRunner } from './runner';

// The fused runner given a layer's dense input (`args.input`) projects it inside its call
// (x @ W_ih^T + b_ih, one product over all T*B rows) and computes dW_ih, db_ih and dx in its
// backward kernel. Checked against the composed path: runLayerDirection on projectInput(x).

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

/** Runner arguments for a dense input whose `xProjected` counts its reads (the fused runner must not read it). */
function denseArgs(base: Omit<LayerRunnerArgs, 'xProjected' | 'input'>, x: Tensor): { args: LayerRunnerArgs; reads: () => number } {
  let reads = 0;
  const args: LayerRunnerArgs = {
    ...base,
    input: x,
    get xProjected(): Tensor {
      reads++;
      return projectInput(base.weights, x);
    },
  };
  return { args, reads: () => reads };
}

/** A copy of the parameters of one layer-direction, each trainable or frozen as asked. */
function withGrads(p: CellParams, input: boolean, recurrent: boolean): CellParams {
  const copy = (t: Tensor | null, trainable: boolean): Tensor | null => (t ? new Tensor(t.data.slice(), t.shape, trainable) : null);
  return {
    weightIh: copy(p.weightIh, input) as Tensor,
    biasIh: copy(p.biasIh, input),
    weightHh: copy(p.weightHh, recurrent) as Tensor,
    biasHh: copy(p.biasHh, recurrent),
  };
}

interface LayerCase {
  steps: number;
  batch: number;
  input: number;
  hidden: number;
  lengths: number[] | null;
  reverse: boolean;
  bias?: boolean;
  /** Which operands need a gradient (default: all). */
  dx?: boolean;
  inputWeights?: boolean;
  recurrentWeights?: boolean;
}

/**
 * One layer-direction on a dense input, fused (given `input`) and composed (projectInput, then
 * runLayerDirection): outputs, final states and the gradients of every operand that needs one.
 */
function compareLayer(kind: (typeof KIND_CASES)[number], c: LayerCase): void {
  const [cellKind, family, nonlinearity] = kind;
  const module = createRecurrent(new Random(c.input * 31 + c.hidden), { kind: family, inputSize: c.input, hiddenSize: c.hidden, nonlinearity, bias: c.bias ?? true });
  const weights = withGrads(layerParams(module, 0, false), c.inputWeights ?? true, c.recurrentWeights ?? true);
  const rng = new Random(c.steps * 7 + c.batch);
  const x = randn(rng, [c.steps, c.batch, c.input], 'float32', 1, c.dx ?? true);
  const h0 = randn(rng, [c.batch, c.hidden], 'float32', 0.5, true);
  const lstm = cellKind === 'lstm';
  const c0 = lstm ? randn(rng, [c.batch, c.hidden], 'float32', 0.5, true) : null;
  const outWeights = randn(rng, [c.steps, c.batch, c.hidden], 'float32');
  const stateWeights = randn(rng, [c.batch, c.hidden], 'float32');
  const base = { kind: cellKind, weights, h0, c0, lengths: c.lengths, reverse: c.reverse };
  const wrt = [x, h0, ...(c0 ? [c0] : []), weights.weightIh, weights.weightHh, ...(weights.biasIh ? [weights.biasIh] : []), ...(weights.biasHh ? [weights.biasHh] : [])]
    .filter((t) => t.requiresGrad);
  const lossOf = (r: { output: Tensor; h: Tensor; c: Tensor | null }): Tensor => {
    let loss = add(sum(mul(r.output, outWeights)), sum(mul(r.h, stateWeights)));
    if (r.c) loss = add(loss, sum(mul(r.c, mul(stateWeights, stateWeights))));
    return loss;
  };

  const { args, reads } = denseArgs(base, x);
  const fused = fusedLayerRunner(args);
  if (!fused) throw new Error(`${cellKind} ${JSON.stringify(c)}: the fused runner declined`);
  expect(reads()).toBe(0); // projected inside the call, not by the driver
  const node = fused.output.node?.inputs[0]?.node;
  expect(node?.op).toBe(`${cellKind}_fused`);
  expect(node?.inputs[0]).toBe(x); // over the dense input itself
  expect(node?.inputs).toContain(weights.weightIh);
  const fusedGrads = grad(lossOf(fused), wrt);

  const composed = runLayerDirection(cellKind, weights, projectInput(weights, x), h0, c0, c.lengths, c.reverse);
  const composedGrads = grad(lossOf(composed), wrt);
  const compare = (name: string, a: Tensor, b: Tensor): void => {
    const error = relativeError(a, b);
    if (!(error < 1e-5)) throw new Error(`${cellKind} ${JSON.stringify(c)}: ${name} differs from the composed path by ${error.toExponential(2)} (relative)`);
  };
  compare('output', fused.output, composed.output);
  compare('h', fused.h, composed.h);
  if (c0) compare('c', fused.c as Tensor, composed.c as Tensor);
  fusedGrads.forEach((g, i) => compare(`gradient ${i} of [${wrt.map((t) => t.shape.join('x')).join(', ')}]`, g, composedGrads[i]));
}

const describeFused = fusedKernelsAvailable() ? describe : describe.skip;

describeFused('fused runner on a dense input: the projection inside the call', () => {
  for (const kind of KIND_CASES) {
    const [label] = kind;
    it(`${label}: values, dx, dW_ih, db_ih and the rest as the composed path (odd I, lengths, both directions)`, () => {
      compareLayer(kind, { steps: 6, batch: 5, input: 5, hidden: 7, lengths: [6, 2, 0, 5, 1], reverse: false });
      compareLayer(kind, { steps: 6, batch: 5, input: 1, hidden: 16, lengths: [3, 6, 6, 1, 4], reverse: true });
      compareLayer(kind, { steps: 3, batch: 9, input: 67, hidden: 20, lengths: null, reverse: false }); // I past a 64-column strip
    });
  }

  it('the standard shape (I 64, H 128, B 32, chunked, threads) and I 13, with dW_ih in the weight pass', () => {
    for (const kind of KIND_CASES.filter(([k]) => k === 'lstm' || k === 'gru' || k === 'rnn_tanh')) {
      compareLayer(kind, { steps: 5, batch: 32, input: 64, hidden: 128, lengths: null, reverse: false });
      compareLayer(kind, { steps: 4, batch: 32, input: 13, hidden: 128, lengths: Array.from({ length: 32 }, (_, b) => 1 + (b % 4)), reverse: true });
    }
  });

  it('dx only when the input needs it; weights frozen or trainable in any combination; no biases', () => {
    for (const kind of KIND_CASES.filter(([k]) => k === 'lstm' || k === 'gru' || k === 'indrnn_relu')) {
      const c = { steps: 5, batch: 4, input: 6, hidden: 12, lengths: [5, 3, 5, 1], reverse: false };
      compareLayer(kind, { ...c, dx: false }); // dx off: parameters only
      compareLayer(kind, { ...c, inputWeights: false, recurrentWeights: false }); // dx only
      compareLayer(kind, { ...c, dx: false, recurrentWeights: false }); // dW_ih only
      compareLayer(kind, { ...c, inputWeights: false }); // W_hh trainable, W_ih frozen
      compareLayer(kind, { ...c, bias: false });
    }
  });

  it('leaves a dense input that needs no gradient without one', () => {
    const module = createRecurrent(new Random(4), { kind: 'lstm', inputSize: 5, hiddenSize: 8 });
    const x = randn(new Random(5), [4, 3, 5], 'float32');
    const previous = setLayerRunner(fusedLayerRunner);
    try {
      sum(runRecurrent(module, x).output).backward();
    } finally {
      setLayerRunner(previous);
    }
    expect(x.grad ?? null).toBeNull();
    expect((module.weight_ih_l0 as Tensor).grad).toBeTruthy();
  });
});

describeFused('runRecurrent on a dense input, fused: every layer-direction projects its own input', () => {
  /** Counts the calls the fused runner took with a dense input and whether any read `xProjected`. */
  function countingRunner(): { runner: LayerRunner; dense: () => number; reads: () => number } {
    let dense = 0;
    let reads = 0;
    const runner: LayerRunner = (args) => {
      const watched = new Proxy(args, {
        get(target, key, receiver) {
          if (key === 'xProjected') reads++;
          return Reflect.get(target, key, receiver);
        },
      });
      const result = fusedLayerRunner(watched);
      if (result && args.input) dense++;
      return result;
    };
    return { runner, dense: () => dense, reads: () => reads };
  }

  it('stacked and bidirectional layers on a dense input of odd width: outputs, states and every gradient as the composed path', () => {
    for (const [label, family, nonlinearity] of KIND_CASES.filter(([k]) => k !== 'rnn_relu')) {
      const module = createRecurrent(new Random(3), { kind: family, inputSize: 7, hiddenSize: 9, numLayers: 2, bidirectional: true, nonlinearity });
      const x = randn(new Random(8), [5, 3, 7], 'float32', 1, true);
      const params = recurrentParameters(module).map(([, p]) => p);
      const run = (): Tensor[] => {
        const r = runRecurrent(module, x, { lengths: [5, 2, 4] });
        const loss = add(sum(mul(r.output, r.output)), sum(r.state.h));
        return [r.output, r.state.h, ...grad(loss, [x, ...params])];
      };
      const previous = setLayerRunner(null);
      let composed: Tensor[];
      try {
        composed = run();
      } finally {
        setLayerRunner(previous);
      }
      const counting = countingRunner();
      setLayerRunner(counting.runner);
      let fused: Tensor[];
      try {
        fused = run();
      } finally {
        setLayerRunner(previous);
      }
      expect(counting.dense()).toBe(4); // 2 layers x 2 directions, each given its dense input
      expect(counting.reads()).toBe(0);
      fused.forEach((t, i) => {
        const error = relativeError(t, composed[i]);
        if (!(error < 1e-5)) throw new Error(`${label}: tensor ${i} (outputs, h_n, then grads of x and ${recurrentParameters(module).map(([n]) => n).join(', ')}) differs by ${error.toExponential(2)}`);
      });
    }
  });
});
