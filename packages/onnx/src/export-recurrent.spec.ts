import { Random, Tensor, uniform } from '@loopflow/tensor';
import { RecurrentModule, RecurrentOptions, RecurrentKind, createRecurrent, runRecurrent } from '@loopflow/cells';
import { exportOnnx } from './export';
import { ExportOnnxOptions } from './options';
import { OrtResult, OrtValue, f32, maxAbsDiff, runOnnxJobs } from './testing/ort';

const TOLERANCE = 1e-5;

interface Case {
  name: string;
  kind: RecurrentKind;
  config: Omit<RecurrentOptions, 'inputSize' | 'hiddenSize'>;
  options?: ExportOnnxOptions;
  /** Each run: lengths (or none) and whether an initial state is fed. */
  runs: { lengths?: number[]; initialState?: boolean }[];
}

const T = 5;
const B = 3;
const I = 4;
const H = 6;

/**
 * The module exported, run in ONNX Runtime, and compared with loopflow's runRecurrent on the
 * same input: every output. Past a sequence's length both give zeros in `output`, and `hn`,
 * `cn` hold the state after its last real step (the reverse direction starts at its last real
 * step), as PyTorch's packed sequences; a sequence of length 0 keeps its initial state.
 */
interface Prepared {
  bytes: Uint8Array;
  feeds: Record<string, OrtValue>[];
  expected: Record<string, Tensor>[];
  outputNames: string[];
}

function prepare(c: Case): Prepared {
  const rng = new Random(7);
  const module: RecurrentModule = createRecurrent(rng, { kind: c.kind, inputSize: I, hiddenSize: H, ...c.config });
  const bytes = exportOnnx(module, c.options);
  const D = c.config.bidirectional ? 2 : 1;
  const L = c.config.numLayers ?? 1;
  const hasC = c.kind === 'lstm';
  const batchFirst = c.config.batchFirst ?? false;
  const expected: Record<string, Tensor>[] = [];
  const feeds: Record<string, OrtValue>[] = [];
  for (const run of c.runs) {
    const x = uniform(rng, batchFirst ? [B, T, I] : [T, B, I], -1, 1);
    const h0 = uniform(rng, [L * D, B, H], -0.5, 0.5);
    const c0 = uniform(rng, [L * D, B, H], -0.5, 0.5);
    const result = runRecurrent(module, x, {
      ...(run.lengths ? { lengths: run.lengths } : {}),
      ...(run.initialState ? { initialState: hasC ? { h: h0, c: c0 } : { h: h0 } } : {}),
    });
    expected.push({ output: result.output, hn: result.state.h, ...(hasC ? { cn: result.state.c as Tensor } : {}) });
    const feed: Record<string, OrtValue> = { x: f32(x.data, [...x.shape]) };
    if (c.options?.initialState) {
      // zeros when the loopflow run started from zeros
      feed.h0 = f32(run.initialState ? h0.data : new Float32Array(h0.size), [L * D, B, H]);
      if (hasC) feed.c0 = f32(run.initialState ? c0.data : new Float32Array(c0.size), [L * D, B, H]);
    }
    if (c.options?.sequenceLens) feed.sequence_lens = { type: 'int32', dims: [B], data: run.lengths ?? new Array(B).fill(T) };
    feeds.push(feed);
  }
  return { bytes, feeds, expected, outputNames: hasC ? ['output', 'hn', 'cn'] : ['output', 'hn'] };
}

function check(prepared: Prepared, reply: OrtResult | { error: string }): void {
  const { expected } = prepared;
  if ('error' in reply) throw new Error(reply.error);
  expect(reply.outputNames).toEqual(prepared.outputNames);
  reply.runs.forEach((outputs, k) => {
    for (const [name, want] of Object.entries(expected[k])) {
      expect({ run: k, name, dims: outputs[name].dims }).toEqual({ run: k, name, dims: [...want.shape] });
      const diff = maxAbsDiff(outputs[name].data, want.data);
      expect({ run: k, name, diff: diff <= TOLERANCE ? 'ok' : diff }).toEqual({ run: k, name, diff: 'ok' });
    }
  });
}

const CASES: Case[] = [
  { name: 'RNN tanh', kind: 'rnn', config: {}, runs: [{}] },
  { name: 'RNN relu, 2 layers', kind: 'rnn', config: { nonlinearity: 'relu', numLayers: 2 }, runs: [{}] },
  { name: 'LSTM', kind: 'lstm', config: {}, runs: [{}] },
  { name: 'GRU', kind: 'gru', config: {}, runs: [{}] },
  { name: 'LSTM without biases', kind: 'lstm', config: { bias: false }, runs: [{}] },
  {
    name: 'LSTM, 2 layers, initial states and variable lengths', kind: 'lstm', config: { numLayers: 2 },
    options: { initialState: true, sequenceLens: true },
    runs: [{ initialState: true }, { lengths: [5, 2, 3] }, { lengths: [1, 5, 4], initialState: true }],
  },
  {
    name: 'LSTM, 2 bidirectional layers, initial states and variable lengths', kind: 'lstm', config: { numLayers: 2, bidirectional: true },
    options: { initialState: true, sequenceLens: true },
    runs: [{}, { lengths: [3, 5, 2], initialState: true }, { lengths: [0, 4, 5], initialState: true }],
  },
  {
    name: 'GRU, 2 bidirectional layers, initial states and variable lengths', kind: 'gru', config: { numLayers: 2, bidirectional: true },
    options: { initialState: true, sequenceLens: true },
    runs: [{ initialState: true }, { lengths: [2, 4, 5], initialState: true }, { lengths: [5, 0, 1] }],
  },
  {
    name: 'RNN tanh, 3 bidirectional layers, variable lengths', kind: 'rnn', config: { numLayers: 3, bidirectional: true },
    options: { sequenceLens: true }, runs: [{ lengths: [4, 1, 5] }],
  },
  {
    name: 'RNN relu, bidirectional, initial state', kind: 'rnn', config: { nonlinearity: 'relu', bidirectional: true },
    options: { initialState: true }, runs: [{ initialState: true }],
  },
  {
    name: 'IndRNN relu, 2 bidirectional layers, variable lengths (diagonal recurrence as RNN with R = diag(w))', kind: 'indrnn', config: { numLayers: 2, bidirectional: true },
    options: { sequenceLens: true, initialState: true }, runs: [{ lengths: [5, 3, 2], initialState: true }],
  },
  { name: 'IndRNN tanh', kind: 'indrnn', config: { nonlinearity: 'tanh' }, runs: [{}] },
  { name: 'GRU, batchFirst', kind: 'gru', config: { batchFirst: true, numLayers: 2 }, options: { sequenceLens: true }, runs: [{ lengths: [2, 5, 3] }] },
];

describe('exportOnnx: recurrent modules in ONNX Runtime match runRecurrent (max abs <= 1e-5)', () => {
  const prepared = CASES.map(prepare);
  let replies: (OrtResult | { error: string })[] = [];
  beforeAll(() => {
    replies = runOnnxJobs(prepared.map((p) => ({ model: p.bytes, runs: p.feeds }))); // one ONNX Runtime process for all
  });
  CASES.forEach((c, k) => it(c.name, () => check(prepared[k], replies[k])));
});
