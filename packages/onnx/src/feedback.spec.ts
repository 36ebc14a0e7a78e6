import { Random, Tensor, uniform } from '@loopflow/tensor';
import { FeedbackDefinition, createFeedbackNetwork, runFeedbackNetwork } from '@loopflow/cells';
import { exportOnnx } from './export';
import { OrtResult, OrtValue, f32, maxAbsDiff, runOnnxJobs } from './testing/ort';

const TOLERANCE = 1e-5;
const T = 6;
const B = 3;
const I = 3;

interface Case {
  name: string;
  definition: FeedbackDefinition;
  runs: { lengths?: number[]; initialState?: boolean }[];
}

const CASES: Case[] = [
  {
    name: 'lateral rnn_tanh (an Elman layer)',
    definition: { inputSize: I, layers: [{ name: 'h', size: 4, cell: 'rnn_tanh' }], feedback: [{ kind: 'lateral', layer: 'h' }] },
    runs: [{}],
  },
  {
    name: 'Jordan: lstm + linear readout, indirect out -> h, initial state, lengths (one of 0)',
    definition: { inputSize: I, layers: [{ name: 'h', size: 4, cell: 'lstm' }, { name: 'out', size: 2, cell: 'linear' }], feedback: [{ kind: 'lateral', layer: 'h' }, { kind: 'indirect', from: 'out', to: 'h' }] },
    runs: [{ initialState: true }, { lengths: [6, 2, 0], initialState: true }],
  },
  {
    name: 'complete: gru, rnn_relu, lstm',
    definition: { inputSize: I, layers: [{ name: 'a', size: 3, cell: 'gru' }, { name: 'b', size: 4, cell: 'rnn_relu' }, { name: 'c', size: 2, cell: 'lstm' }], feedback: 'complete' },
    runs: [{ lengths: [3, 6, 1] }],
  },
  {
    name: 'direct on lstm and gru (per-gate diagonal), indrnn, linear with a direct self edge, a layer with no self edge',
    definition: {
      inputSize: I,
      layers: [
        { name: 'l', size: 3, cell: 'lstm' }, { name: 'g', size: 3, cell: 'gru' }, { name: 'i', size: 4, cell: 'indrnn_tanh' },
        { name: 'n', size: 2, cell: 'rnn_tanh' }, { name: 'o', size: 2, cell: 'linear' },
      ],
      feedback: [{ kind: 'direct', layer: 'l' }, { kind: 'direct', layer: 'g' }, { kind: 'direct', layer: 'o' }, { kind: 'indirect', from: 'o', to: 'g' }],
    },
    runs: [{ initialState: true, lengths: [6, 4, 5] }],
  },
];

interface Prepared {
  bytes: Uint8Array;
  feeds: Record<string, OrtValue>[];
  expected: Record<string, Tensor>[];
}

/**
 * The network exported (one ONNX Scan over time), run in ONNX Runtime and compared with
 * runFeedbackNetwork on the same input: the last layer's output (zeros past a sequence's
 * length), and every layer's state after its last real step.
 */
function prepare(c: Case): Prepared {
  const rng = new Random(9);
  const net = createFeedbackNetwork(rng, c.definition);
  const initialState = c.runs.some((r) => r.initialState);
  const withLengths = c.runs.some((r) => r.lengths);
  const bytes = exportOnnx(net, { initialState, sequenceLens: withLengths });
  const widthH = c.definition.layers.reduce((s, l) => s + l.size, 0);
  const widthC = c.definition.layers.filter((l) => l.cell === 'lstm').reduce((s, l) => s + l.size, 0);
  const feeds: Record<string, OrtValue>[] = [];
  const expected: Record<string, Tensor>[] = [];
  for (const run of c.runs) {
    const x = uniform(rng, [T, B, I], -1, 1);
    const h0 = uniform(rng, [B, widthH], -0.5, 0.5);
    const c0 = widthC > 0 ? uniform(rng, [B, widthC], -0.5, 0.5) : null;
    const start = run.initialState ? (c0 ? { h: h0, c: c0 } : { h: h0 }) : undefined;
    const result = runFeedbackNetwork(net, x, { ...(run.lengths ? { lengths: run.lengths } : {}), ...(start ? { initialState: start } : {}) });
    expected.push({ output: result.output, hn: result.state.h, ...(result.state.c ? { cn: result.state.c } : {}) });
    const feed: Record<string, OrtValue> = { x: f32(x.data, [T, B, I]) };
    if (initialState) {
      feed.h0 = f32(run.initialState ? h0.data : new Float32Array(B * widthH), [B, widthH]);
      if (c0) feed.c0 = f32(run.initialState ? c0.data : new Float32Array(B * widthC), [B, widthC]);
    }
    if (withLengths) feed.sequence_lens = { type: 'int32', dims: [B], data: run.lengths ?? new Array(B).fill(T) };
    feeds.push(feed);
  }
  return { bytes, feeds, expected };
}

describe('exportOnnx: feedback networks (a Scan over time) in ONNX Runtime match runFeedbackNetwork (max abs <= 1e-5)', () => {
  const prepared = CASES.map(prepare);
  let replies: (OrtResult | { error: string })[] = [];
  beforeAll(() => {
    replies = runOnnxJobs(prepared.map((p) => ({ model: p.bytes, runs: p.feeds })));
  });
  CASES.forEach((c, k) => it(c.name, () => {
    const reply = replies[k];
    if ('error' in reply) throw new Error(reply.error);
    reply.runs.forEach((outputs, r) => {
      for (const [name, want] of Object.entries(prepared[k].expected[r])) {
        expect({ run: r, name, dims: outputs[name].dims }).toEqual({ run: r, name, dims: [...want.shape] });
        const diff = maxAbsDiff(outputs[name].data, want.data);
        expect({ run: r, name, diff: diff <= TOLERANCE ? 'ok' : diff }).toEqual({ run: r, name, diff: 'ok' });
      }
    });
  }));
});
