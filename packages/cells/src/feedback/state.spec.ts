import { Random, Tensor, concat, grad, mul, noGrad, slice, sum, tensor } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { truncatedBPTT } from '../tbptt';
import { FeedbackDefinition, createFeedbackNetwork, initialFeedbackState, runFeedbackNetwork } from './index';
import { maxAbsDiff, randn } from './spec-helpers';

/** LSTM and GRU layers with direct, lateral and no self edge, Jordan edges, a linear readout. */
const definition: FeedbackDefinition = {
  inputSize: 2,
  layers: [
    { name: 'l1', size: 3, cell: 'lstm' }, { name: 'g1', size: 3, cell: 'gru' }, { name: 'l2', size: 2, cell: 'lstm' },
    { name: 'g2', size: 2, cell: 'gru' }, { name: 'i', size: 3, cell: 'indrnn' }, { name: 'out', size: 2, cell: 'linear' },
  ],
  feedback: [
    { kind: 'direct', layer: 'l1' }, { kind: 'direct', layer: 'g1' }, { kind: 'lateral', layer: 'g2' },
    { kind: 'indirect', from: 'out', to: 'l1' }, { kind: 'indirect', from: 'out', to: 'g1' }, { kind: 'lateral', layer: 'out' },
  ],
};

const example: FeedbackDefinition = {
  inputSize: 3,
  layers: [{ name: 'h1', size: 16, cell: 'rnn_tanh' }, { name: 'h2', size: 8, cell: 'lstm' }, { name: 'out', size: 2, cell: 'linear' }],
  feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'direct', layer: 'h2' }],
};

describe('feedback network: state, masks, truncated BPTT', () => {
  const net = createFeedbackNetwork(new Random(11), definition, { dtype: 'float64' });

  it('running two halves with the state carried equals one run', () => {
    const x = randn(new Random(12), [6, 2, 2]);
    const whole = runFeedbackNetwork(net, x);
    const first = runFeedbackNetwork(net, slice(x, 0, 0, 2));
    const second = runFeedbackNetwork(net, slice(x, 0, 2, 6), { initialState: first.state });
    expect(maxAbsDiff(concat([first.output, second.output], 0).data, whole.output.data)).toBeLessThan(1e-12);
    expect(maxAbsDiff(second.state.h.data, whole.state.h.data)).toBeLessThan(1e-12);
    expect(maxAbsDiff((second.state.c as Tensor).data, (whole.state.c as Tensor).data)).toBeLessThan(1e-12);
  });

  it('a mask keeps every layer state through trailing padding and outputs zeros there', () => {
    const x = randn(new Random(13), [5, 3, 2]);
    const lengths = [5, 2, 0];
    const mask = tensor(Array.from({ length: 15 }, (_, i) => (Math.floor(i / 3) < lengths[i % 3] ? 1 : 0)), [5, 3], { dtype: 'float64' });
    const padded = runFeedbackNetwork(net, x, { mask });
    expect(runFeedbackNetwork(net, x, { lengths }).output.toList()).toEqual(padded.output.toList());
    const zero = initialFeedbackState(net, 1, 'float64');
    lengths.forEach((len, b) => {
      const rows = (t: Tensor) => slice(t, 1, b, b + 1); // [T, 1, F]
      const stateRow = (t: Tensor) => slice(t, 0, b, b + 1); // [1, S]
      const alone = len > 0 ? runFeedbackNetwork(net, slice(rows(x), 0, 0, len)) : { output: null, state: zero };
      if (alone.output) expect(maxAbsDiff(slice(rows(padded.output), 0, 0, len).data, alone.output.data)).toBeLessThan(1e-12);
      expect(Array.from(slice(rows(padded.output), 0, len).data).every((v) => v === 0)).toBe(true);
      expect(maxAbsDiff(stateRow(padded.state.h).data, alone.state.h.data)).toBeLessThan(1e-12);
      expect(maxAbsDiff(stateRow(padded.state.c as Tensor).data, (alone.state.c as Tensor).data)).toBeLessThan(1e-12);
    });
  });

  it('truncatedBPTT drives it: full-length windows give the full-BPTT gradients; chunks give the same forward values', () => {
    const x = randn(new Random(14), [6, 2, 2]);
    const params = namedParameters(net).map(([, p]) => p);
    const weights = randn(new Random(15), [6, 2, 2]);
    const lossOf = (out: Tensor, from: number, to: number) => sum(mul(out, slice(weights, 0, from, to)));
    const full = grad(lossOf(runFeedbackNetwork(net, x).output, 0, 6), params);
    const forward = (xs: Tensor, s: { h: Tensor; c?: Tensor } | undefined) => runFeedbackNetwork(net, xs, { initialState: s });

    let viaTbptt: Tensor[] = [];
    truncatedBPTT({ sequenceLength: 6, stepsPerUpdate: 6 }).run(x, forward, ({ window, output }) => {
      viaTbptt = grad(lossOf(output, window.lossStart, window.end), params);
    });
    full.forEach((g, i) => expect(maxAbsDiff(g.data, viaTbptt[i].data)).toBeLessThan(1e-12));

    const chunks: Tensor[] = [];
    const last = truncatedBPTT({ sequenceLength: 6, stepsPerUpdate: 2 }).run(x, forward, ({ output }) => chunks.push(output));
    const whole = noGrad(() => runFeedbackNetwork(net, x));
    expect(maxAbsDiff(concat(chunks, 0).data, whole.output.data)).toBeLessThan(1e-12);
    expect(maxAbsDiff(last.h.data, whole.state.h.data)).toBeLessThan(1e-12);
  });
});

describe('feedback network: run errors', () => {
  const net = createFeedbackNetwork(new Random(0), example);
  const code = (fn: () => unknown): string | undefined => {
    try { fn(); } catch (e) { return (e as { code?: string }).code; }
    return undefined;
  };

  it('rejects a wrong input, state, mask or parameter with the package error codes', () => {
    expect(code(() => runFeedbackNetwork(net, randn(new Random(1), [4, 2, 5], 'float32')))).toBe('INPUT_SHAPE');
    expect(code(() => runFeedbackNetwork(net, randn(new Random(1), [4, 2, 3], 'float64')))).toBe('INPUT_SHAPE');
    const x = randn(new Random(1), [4, 2, 3], 'float32');
    expect(code(() => runFeedbackNetwork(net, x, { initialState: initialFeedbackState(net, 3) }))).toBe('STATE_SHAPE');
    expect(code(() => runFeedbackNetwork(net, x, { initialState: { h: initialFeedbackState(net, 2).h } }))).toBe('STATE_SHAPE');
    expect(code(() => runFeedbackNetwork(net, x, { mask: tensor([[1, 1]]) }))).toBe('INVALID_LENGTHS');
    expect(code(() => runFeedbackNetwork(net, x, { lengths: [4, 5] }))).toBe('INVALID_LENGTHS');
    const broken = { ...net, feedback: {} };
    expect(() => runFeedbackNetwork(broken, x)).toThrow(/parameter 'feedback.out_to_h1.weight' is missing/);
    expect(code(() => runFeedbackNetwork(broken, x))).toBe('MISSING_PARAMETER');
    const wrong = { ...net, layers: { ...net.layers, out: { ...net.layers.out, bias: randn(new Random(1), [3], 'float32') } } };
    expect(code(() => runFeedbackNetwork(wrong, x))).toBe('PARAMETER_SHAPE');
  });

  it('says which sizes the state must have', () => {
    const x = randn(new Random(1), [4, 2, 3], 'float32');
    expect(() => runFeedbackNetwork(net, x, { initialState: initialFeedbackState(net, 3) })).toThrow('initialState.h has shape [3,26], expected [2,26]');
  });
});
