import { Random, Tensor, concat, gradCheck, reshape, tensor } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { FeedbackDefinition, FeedbackRunOptions, createFeedbackNetwork, initialFeedbackState, runFeedbackNetwork } from './index';
import { randn, withParameters } from './spec-helpers';

/** Every layer's outputs and the final state, flattened into one vector (so gradCheck checks them all). */
function everything(result: ReturnType<typeof runFeedbackNetwork>): Tensor {
  const parts = Object.values(result.outputs).map((o) => reshape(o, [-1]));
  parts.push(reshape(result.state.h, [-1]));
  if (result.state.c) parts.push(reshape(result.state.c, [-1]));
  return concat(parts, 0);
}

/**
 * gradCheck (float64 finite differences) of every layer output and the final state with
 * respect to the input, every parameter and (optionally) the initial state.
 */
function check(definition: FeedbackDefinition, timeSteps: number, batch: number, options: { initialState?: boolean; mask?: number[][] } = {}): void {
  const net = createFeedbackNetwork(new Random(21), definition, { dtype: 'float64' });
  const params = namedParameters(net).map(([, p]) => p);
  const rng = new Random(22);
  const x = randn(rng, [timeSteps, batch, definition.inputSize]);
  const zero = initialFeedbackState(net, batch, 'float64');
  const h0 = randn(rng, zero.h.shape as number[], 'float64', 0.5);
  const c0 = zero.c ? randn(rng, zero.c.shape as number[], 'float64', 0.5) : null;
  const mask = options.mask ? tensor(options.mask, undefined, { dtype: 'float64' }) : undefined;
  const starts = options.initialState ? (c0 ? [h0, c0] : [h0]) : [];
  const fn = (...inputs: Tensor[]): Tensor => {
    const [xs, ...rest] = inputs;
    const run: FeedbackRunOptions = { mask };
    if (options.initialState) run.initialState = c0 ? { h: rest[0], c: rest[1] } : { h: rest[0] };
    return everything(runFeedbackNetwork(withParameters(net, rest.slice(starts.length)), xs, run));
  };
  const result = gradCheck(fn, [x, ...starts, ...params]);
  if (!result.ok) {
    const names = ['x', ...starts.map((_, i) => (i === 0 ? 'h0' : 'c0')), ...namedParameters(net).map(([n]) => n)];
    const bad = result.inputs.filter((r) => r.maxAbsError > 1e-6).map((r) => `${names[r.index]}: ${JSON.stringify(r.worst)}`);
    throw new Error(`gradCheck failed for ${bad.join('; ')}`);
  }
  expect(result.inputs).toHaveLength(1 + starts.length + params.length);
}

describe('feedback network: gradCheck (float64) of outputs and final state', () => {
  it('direct: diagonal self recurrence on rnn_tanh, lstm (per gate), gru (per gate), indrnn and a linear layer', () => {
    check({
      inputSize: 3,
      layers: [
        { name: 'a', size: 3, cell: 'rnn_tanh' }, { name: 'l', size: 3, cell: 'lstm' }, { name: 'g', size: 2, cell: 'gru' },
        { name: 'i', size: 3, cell: 'indrnn' }, { name: 'out', size: 2, cell: 'linear' },
      ],
      feedback: [
        { kind: 'direct', layer: 'a' }, { kind: 'direct', layer: 'l' }, { kind: 'direct', layer: 'g' }, { kind: 'direct', layer: 'out' },
      ],
    }, 5, 2);
  });

  it('indirect: Jordan edges out -> h1 and out -> h2, h2 -> h1, and a delayed forward edge h1 -> out', () => {
    check({
      inputSize: 3,
      layers: [{ name: 'h1', size: 3, cell: 'gru' }, { name: 'h2', size: 3, cell: 'rnn_relu' }, { name: 'out', size: 2, cell: 'linear' }],
      feedback: [
        { kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'indirect', from: 'out', to: 'h2' },
        { kind: 'indirect', from: 'h2', to: 'h1' }, { kind: 'indirect', from: 'h1', to: 'out' },
      ],
    }, 5, 2);
  });

  it('lateral: the full hidden-to-hidden matrix on lstm, gru, rnn_tanh and linear layers', () => {
    check({
      inputSize: 2,
      layers: [
        { name: 'l', size: 3, cell: 'lstm' }, { name: 'g', size: 3, cell: 'gru' }, { name: 'r', size: 3, cell: 'rnn_tanh' },
        { name: 'out', size: 2, cell: 'linear' },
      ],
      feedback: [{ kind: 'lateral', layer: 'l' }, { kind: 'lateral', layer: 'g' }, { kind: 'lateral', layer: 'r' }, { kind: 'lateral', layer: 'out' }],
    }, 4, 2);
  });

  it('complete: every neuron of every layer feeds every neuron of every layer (lstm, rnn_relu, linear)', () => {
    check({
      inputSize: 2,
      layers: [{ name: 'l', size: 3, cell: 'lstm' }, { name: 'r', size: 2, cell: 'rnn_relu' }, { name: 'out', size: 2, cell: 'linear' }],
      feedback: 'complete',
    }, 4, 2);
  });

  it('a mix of the kinds with every cell (and layers with no self edge), from a given initial state', () => {
    check({
      inputSize: 3,
      layers: [
        { name: 'h1', size: 3, cell: 'rnn_tanh' }, { name: 'h2', size: 3, cell: 'lstm' }, { name: 'h3', size: 2, cell: 'gru' },
        { name: 'h4', size: 3, cell: 'indrnn_tanh' }, { name: 'h5', size: 2, cell: 'rnn_relu' }, { name: 'out', size: 2, cell: 'linear' },
      ],
      feedback: [
        { kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'direct', layer: 'h2' }, { kind: 'lateral', layer: 'h1' },
        { kind: 'indirect', from: 'h4', to: 'h3' }, { kind: 'indirect', from: 'h2', to: 'h5' },
      ],
    }, 5, 2, { initialState: true });
  });

  it('with a mask of trailing padding (state kept, zeros out) and complete feedback over gru and lstm', () => {
    check({
      inputSize: 2,
      layers: [{ name: 'g', size: 3, cell: 'gru' }, { name: 'l', size: 2, cell: 'lstm' }, { name: 'out', size: 1, cell: 'linear' }],
      feedback: 'complete',
    }, 5, 3, { initialState: true, mask: [[1, 1, 1], [1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0]] });
  });
});
