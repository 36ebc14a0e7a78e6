import { Random, Tensor, select } from '@loopflow/tensor';
import { namedParameters, stateDict, loadStateDict } from '@loopflow/layers';
import { createRecurrent } from '../create';
import { runRecurrent } from '../run';
import {
  FeedbackCell, FeedbackDefinition, FeedbackEdge, createFeedbackNetwork, feedbackLayerStates, feedbackParameterShapes,
  initialFeedbackState, runFeedbackNetwork,
} from './index';
import { maxAbsDiff, randn } from './spec-helpers';
import { referenceFeedback, sequenceOf } from './spec-reference';

const example: FeedbackDefinition = {
  inputSize: 3,
  layers: [
    { name: 'h1', size: 16, cell: 'rnn_tanh' },
    { name: 'h2', size: 8, cell: 'lstm' },
    { name: 'out', size: 2, cell: 'linear' },
  ],
  feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'direct', layer: 'h2' }],
};

describe('feedback network: parameters', () => {
  it('names every parameter PyTorch-style through the layers walker, with the documented shapes', () => {
    const net = createFeedbackNetwork(new Random(0), example);
    const named = namedParameters(net).map(([name, p]) => [name, p.shape]);
    expect(named).toEqual([
      ['layers.h1.weight_ih', [16, 3]],
      ['layers.h1.bias_ih', [16]],
      ['layers.h1.bias_hh', [16]],
      ['layers.h2.weight_ih', [32, 16]],
      ['layers.h2.weight_hh', [32]],
      ['layers.h2.bias_ih', [32]],
      ['layers.h2.bias_hh', [32]],
      ['layers.out.weight', [2, 8]],
      ['layers.out.bias', [2]],
      ['feedback.out_to_h1.weight', [16, 2]],
    ]);
    expect(Object.entries(feedbackParameterShapes(example))).toEqual(named);
  });

  it('complete: a full self matrix per layer and one matrix per ordered pair of different layers', () => {
    const shapes = feedbackParameterShapes({ ...example, feedback: 'complete' });
    expect(shapes['layers.h1.weight_hh']).toEqual([16, 16]);
    expect(shapes['layers.h2.weight_hh']).toEqual([32, 8]);
    expect(shapes['layers.out.weight_hh']).toEqual([2, 2]);
    const edges = Object.keys(shapes).filter((n) => n.startsWith('feedback.'));
    expect(edges).toEqual([
      'feedback.h2_to_h1.weight', 'feedback.out_to_h1.weight',
      'feedback.h1_to_h2.weight', 'feedback.out_to_h2.weight',
      'feedback.h1_to_out.weight', 'feedback.h2_to_out.weight',
    ]);
    expect(shapes['feedback.h1_to_h2.weight']).toEqual([32, 16]);
  });

  it('same seed and definition give the same parameters; a state dict moves between networks', () => {
    const a = createFeedbackNetwork(new Random(5), example);
    const b = createFeedbackNetwork(new Random(5), example);
    const c = createFeedbackNetwork(new Random(6), example);
    expect(namedParameters(a).map(([, p]) => p.toList())).toEqual(namedParameters(b).map(([, p]) => p.toList()));
    loadStateDict(c, stateDict(a));
    const x = randn(new Random(1), [4, 2, 3], 'float32');
    expect(runFeedbackNetwork(c, x).output.toList()).toEqual(runFeedbackNetwork(a, x).output.toList());
  });
});

/** Definitions covering every cell, every self recurrence and edges both ways. */
const CASES: [string, FeedbackDefinition][] = [
  ['rnn cells, linear readout, Jordan and delayed forward edges', {
    inputSize: 3,
    layers: [
      { name: 'a', size: 4, cell: 'rnn_tanh' }, { name: 'b', size: 3, cell: 'rnn_relu' },
      { name: 'c', size: 3, cell: 'indrnn_tanh' }, { name: 'out', size: 2, cell: 'linear' },
    ],
    feedback: [
      { kind: 'direct', layer: 'a' }, { kind: 'lateral', layer: 'b' }, { kind: 'indirect', from: 'out', to: 'a' },
      { kind: 'indirect', from: 'c', to: 'b' }, { kind: 'indirect', from: 'a', to: 'out' }, { kind: 'direct', layer: 'out' },
    ],
  }],
  ['lstm and gru with direct, lateral and no self edge', {
    inputSize: 2,
    layers: [
      { name: 'l1', size: 3, cell: 'lstm' }, { name: 'g1', size: 3, cell: 'gru' }, { name: 'l2', size: 2, cell: 'lstm' },
      { name: 'g2', size: 2, cell: 'gru' }, { name: 'i', size: 3, cell: 'indrnn' }, { name: 'out', size: 2, cell: 'linear' },
    ],
    feedback: [
      { kind: 'direct', layer: 'l1' }, { kind: 'direct', layer: 'g1' }, { kind: 'lateral', layer: 'g2' },
      { kind: 'indirect', from: 'out', to: 'l1' }, { kind: 'indirect', from: 'out', to: 'g1' }, { kind: 'lateral', layer: 'out' },
    ],
  }],
  ['complete over lstm, gru and linear', {
    inputSize: 2,
    layers: [{ name: 'l', size: 3, cell: 'lstm' }, { name: 'g', size: 2, cell: 'gru' }, { name: 'out', size: 2, cell: 'linear' }],
    feedback: 'complete',
  }],
];

describe('feedback network: semantics', () => {
  for (const [label, definition] of CASES) {
    it(`matches an independent plain-loop reference: ${label}`, () => {
      const net = createFeedbackNetwork(new Random(2), definition, { dtype: 'float64' });
      const rng = new Random(3);
      const x = randn(rng, [5, 3, definition.inputSize]);
      const start = initialFeedbackState(net, 3, 'float64');
      const initial = { h: randn(rng, start.h.shape as number[], 'float64', 0.5), c: start.c && randn(rng, start.c.shape as number[], 'float64', 0.5) };
      const { outputs, output, state } = runFeedbackNetwork(net, x, { initialState: initial });
      const layers = definition.layers.map((l) => l.name);
      expect(output).toBe(outputs[layers[layers.length - 1]]);
      const startByLayer = feedbackLayerStates(net, initial);
      const finalByLayer = feedbackLayerStates(net, state);
      for (let b = 0; b < 3; b++) {
        const row = (t: Tensor | undefined) => (t ? Array.from(select(t, 0, b).data) : undefined);
        const ref = referenceFeedback(net, sequenceOf(x, b), Object.fromEntries(layers.map((n) => [n, { h: row(startByLayer[n].h) as number[], c: row(startByLayer[n].c) }])));
        for (const name of layers) {
          expect(maxAbsDiff(sequenceOf(outputs[name], b).flat(), ref.outputs[name].flat())).toBeLessThan(1e-12);
          expect(maxAbsDiff(row(finalByLayer[name].h) as number[], ref.final[name].h)).toBeLessThan(1e-12);
          if (ref.final[name].c) expect(maxAbsDiff(row(finalByLayer[name].c) as number[], ref.final[name].c as number[])).toBeLessThan(1e-12);
        }
      }
    });
  }

  const STANDARD: [FeedbackCell, 'rnn' | 'lstm' | 'gru' | 'indrnn', 'tanh' | 'relu' | undefined, FeedbackEdge[]][] = [
    ['rnn_tanh', 'rnn', 'tanh', [{ kind: 'lateral', layer: 'h' }]],
    ['rnn_relu', 'rnn', 'relu', [{ kind: 'lateral', layer: 'h' }]],
    ['lstm', 'lstm', undefined, [{ kind: 'lateral', layer: 'h' }]],
    ['gru', 'gru', undefined, [{ kind: 'lateral', layer: 'h' }]],
    ['indrnn', 'indrnn', 'relu', []],
    ['indrnn_tanh', 'indrnn', 'tanh', [{ kind: 'direct', layer: 'h' }]],
  ];
  for (const [cell, kind, nonlinearity, feedback] of STANDARD) {
    it(`one ${cell} layer${feedback.length ? ` with ${feedback[0].kind} feedback` : ''} is the standard layer of runRecurrent`, () => {
      const net = createFeedbackNetwork(new Random(4), { inputSize: 3, layers: [{ name: 'h', size: 4, cell }], feedback }, { dtype: 'float64' });
      const layer = net.layers.h as unknown as Record<string, Tensor>;
      const module = createRecurrent(new Random(0), { kind, inputSize: 3, hiddenSize: 4, nonlinearity }, { dtype: 'float64' });
      for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) (module[`${name}_l0`] as Tensor).data.set(layer[name].data);
      const x = randn(new Random(5), [6, 2, 3]);
      const h0 = randn(new Random(6), [2, 4], 'float64', 0.5);
      const c0 = randn(new Random(7), [2, 4], 'float64', 0.5);
      const lstm = cell === 'lstm';
      const ours = runFeedbackNetwork(net, x, { initialState: lstm ? { h: h0, c: c0 } : { h: h0 } });
      const theirs = runRecurrent(module, x, { initialState: lstm ? { h: tensorOf(h0), c: tensorOf(c0) } : { h: tensorOf(h0) } });
      expect(maxAbsDiff(ours.output.data, theirs.output.data)).toBeLessThan(1e-12);
      expect(maxAbsDiff(ours.state.h.data, theirs.state.h.data)).toBeLessThan(1e-12);
      if (lstm) expect(maxAbsDiff((ours.state.c as Tensor).data, (theirs.state.c as Tensor).data)).toBeLessThan(1e-12);
    });
  }

  for (const cell of ['lstm', 'gru'] as const) {
    it(`direct feedback on ${cell} = the standard ${cell} with a weight_hh diagonal in every gate block; none = weight_hh zero`, () => {
      const x = randn(new Random(8), [5, 2, 2]);
      const G = cell === 'lstm' ? 4 : 3;
      for (const feedback of [[{ kind: 'direct', layer: 'h' }], []] as FeedbackEdge[][]) {
        const net = createFeedbackNetwork(new Random(9), { inputSize: 2, layers: [{ name: 'h', size: 3, cell }], feedback }, { dtype: 'float64' });
        const layer = net.layers.h as unknown as Record<string, Tensor>;
        const module = createRecurrent(new Random(0), { kind: cell, inputSize: 2, hiddenSize: 3 }, { dtype: 'float64' });
        for (const name of ['weight_ih', 'bias_ih', 'bias_hh']) (module[`${name}_l0`] as Tensor).data.set(layer[name].data);
        const full = (module.weight_hh_l0 as Tensor).data; // [G*3, 3]
        full.fill(0);
        if (layer.weight_hh) for (let j = 0; j < G * 3; j++) full[j * 3 + (j % 3)] = layer.weight_hh.data[j];
        const ours = runFeedbackNetwork(net, x);
        const theirs = runRecurrent(module, x);
        expect(maxAbsDiff(ours.output.data, theirs.output.data)).toBeLessThan(1e-12);
      }
    });
  }

  it('feedback arrives one step late: an output-to-input edge does not change step 0 from a zero state', () => {
    const definition: FeedbackDefinition = { inputSize: 2, layers: [{ name: 'h', size: 3, cell: 'rnn_tanh' }, { name: 'out', size: 2, cell: 'linear' }] };
    const plain = createFeedbackNetwork(new Random(1), definition, { dtype: 'float64' });
    const jordan = createFeedbackNetwork(new Random(1), { ...definition, feedback: [{ kind: 'indirect', from: 'out', to: 'h' }] }, { dtype: 'float64' });
    const x = randn(new Random(2), [3, 1, 2]);
    const a = runFeedbackNetwork(plain, x).output;
    const b = runFeedbackNetwork(jordan, x).output;
    expect(maxAbsDiff(select(a, 0, 0).data, select(b, 0, 0).data)).toBe(0);
    expect(maxAbsDiff(select(a, 0, 1).data, select(b, 0, 1).data)).toBeGreaterThan(1e-6);
  });
});

/** A copy of a tensor (runRecurrent's state is [L*D, B, H]: one layer, one direction). */
function tensorOf(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), [1, ...t.shape]);
}
