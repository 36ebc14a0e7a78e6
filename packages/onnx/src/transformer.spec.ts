import { Random, Tensor, concat, permute, tensor, uniform } from '@loopflow/tensor';
import { createDecoder, createEncoder, decoder, encoder, DecoderModel, EncoderModel, TransformerConfig, Pooling } from '@loopflow/attention';
import { exportOnnx } from './export';
import { ExportOnnxOptions } from './options';
import { OrtResult, OrtValue, f32, maxAbsDiff, runOnnxJobs } from './testing/ort';

const TOLERANCE = 1e-5;
const B = 3;
const T = 5;
const VOCAB = 7;
const FEATURES = 2;

function ids(rng: Random, b: number, t: number): number[] {
  return Array.from({ length: b * t }, () => Math.floor(rng.uniform(0, VOCAB)));
}

interface Prepared {
  name: string;
  bytes: Uint8Array;
  feeds: Record<string, OrtValue>[];
  expected: Tensor[];
}

/** Random weights everywhere (biases and LayerNorm too), so a misplaced one shows. */
function perturb(model: DecoderModel | EncoderModel, rng: Random): void {
  const visit = (value: unknown): void => {
    if (value instanceof Tensor) {
      for (let i = 0; i < value.data.length; i++) value.data[i] += rng.uniform(-0.2, 0.2);
    } else if (value && typeof value === 'object' && !(value instanceof Random)) {
      for (const [key, child] of Object.entries(value)) if (key !== 'config') visit(child);
    }
  };
  visit(model);
}

function base(input: TransformerConfig['input'], extra: Partial<TransformerConfig> = {}): TransformerConfig {
  return { input, outputSize: 4, dModel: 8, heads: 2, layers: 2, mlpWidth: 16, ...extra };
}

function decoderCase(name: string, config: TransformerConfig): Prepared {
  const rng = new Random(3);
  const model = createDecoder(rng, config);
  perturb(model, rng);
  const tokens = config.input.kind === 'tokens';
  const feeds: Record<string, OrtValue>[] = [];
  const expected: Tensor[] = [];
  for (const steps of [T, 2]) {
    const x = tokens ? tensor(ids(rng, B, steps), [B, steps]) : uniform(rng, [B, steps, FEATURES], -1, 1);
    expected.push(decoder(model, x));
    feeds.push({ x: tokens ? { type: 'int64', dims: [B, steps], data: Array.from(x.data) } : f32(x.data, [B, steps, FEATURES]) });
  }
  return { name, bytes: exportOnnx(model), feeds, expected };
}

function encoderCase(name: string, config: TransformerConfig & { pooling: Pooling }, runs: (number[] | null)[]): Prepared {
  const rng = new Random(5);
  const model = createEncoder(rng, config);
  perturb(model, rng);
  const tokens = config.input.kind === 'tokens';
  const withLengths = runs.some((r) => r !== null);
  const options: ExportOnnxOptions = withLengths ? { sequenceLens: true } : {};
  const feeds: Record<string, OrtValue>[] = [];
  const expected: Tensor[] = [];
  for (const lengths of runs) {
    const x = tokens ? tensor(ids(rng, B, T), [B, T]) : uniform(rng, [B, T, FEATURES], -1, 1);
    expected.push(encoder(model, x, lengths ? { lengths } : {}));
    const feed: Record<string, OrtValue> = { x: tokens ? { type: 'int64', dims: [B, T], data: Array.from(x.data) } : f32(x.data, [B, T, FEATURES]) };
    if (withLengths) feed.sequence_lens = { type: 'int32', dims: [B], data: lengths ?? [T, T, T] };
    feeds.push(feed);
  }
  return { name, bytes: exportOnnx(model, options), feeds, expected };
}

/**
 * The encoder stored in PyTorch's nn.MultiheadAttention layout (in_proj_weight [3d, d] rows
 * q, k, v as [out, in]; out_proj.weight [d, d]) instead of Wq..Wo [in, out]: the accessor reads
 * it to the same graph, checked against the encoder in loopflow's own layout.
 */
function pytorchLayoutCase(): Prepared {
  const prepared = encoderCase('encoder, attention in PyTorch layout', { ...base({ kind: 'features', size: FEATURES }), pooling: 'mean' }, [[5, 2, 4]]);
  const rng = new Random(5);
  const model = createEncoder(rng, { ...base({ kind: 'features', size: FEATURES }), pooling: 'mean' });
  perturb(model, rng);
  for (const block of model.blocks) {
    const a = block.attention as unknown as Record<string, unknown>;
    const t = (w: unknown): Tensor => permute(w as Tensor, [1, 0]);
    a.in_proj_weight = concat([t(a.Wq), t(a.Wk), t(a.Wv)], 0); // [3d, d]
    a.in_proj_bias = concat([a.bq as Tensor, a.bk as Tensor, a.bv as Tensor], 0);
    a.out_proj = { weight: t(a.Wo), bias: a.bo };
    for (const key of ['Wq', 'Wk', 'Wv', 'Wo', 'bq', 'bk', 'bv', 'bo']) delete a[key];
  }
  return { ...prepared, bytes: exportOnnx(model, { sequenceLens: true }) };
}

const CASES: (() => Prepared)[] = [
  () => decoderCase('decoder, tokens, sinusoidal positions, GELU', base({ kind: 'tokens', vocabSize: VOCAB }, { outputSize: VOCAB })),
  () => decoderCase('decoder, features, learned positions, ReLU, no biases', base({ kind: 'features', size: FEATURES }, { positional: 'learned', maxLength: 8, activation: 'relu', bias: false })),
  () => decoderCase('decoder, tokens, no positions, one head', base({ kind: 'tokens', vocabSize: VOCAB }, { positional: 'none', heads: 1, layers: 1 })),
  () => encoderCase('encoder, tokens, mean pooling, lengths (one of 0)', { ...base({ kind: 'tokens', vocabSize: VOCAB }), pooling: 'mean' }, [[5, 3, 1], [2, 0, 5]]),
  () => encoderCase('encoder, features, last pooling, lengths', { ...base({ kind: 'features', size: FEATURES }, { positional: 'learned', maxLength: 6 }), pooling: 'last' }, [[4, 5, 1], null]),
  () => encoderCase('encoder, tokens, first pooling, no lengths', { ...base({ kind: 'tokens', vocabSize: VOCAB }, { activation: 'relu' }), pooling: 'first' }, [null]),
  pytorchLayoutCase,
];

describe('exportOnnx: transformers in ONNX Runtime match decoder() / encoder() (max abs <= 1e-5)', () => {
  const prepared = CASES.map((make) => make());
  let replies: (OrtResult | { error: string })[] = [];
  beforeAll(() => {
    replies = runOnnxJobs(prepared.map((p) => ({ model: p.bytes, runs: p.feeds })));
  });
  prepared.forEach((p, k) => it(p.name, () => {
    const reply = replies[k];
    if ('error' in reply) throw new Error(reply.error);
    reply.runs.forEach((outputs, r) => {
      expect(outputs.output.dims).toEqual([...p.expected[r].shape]);
      const diff = maxAbsDiff(outputs.output.data, p.expected[r].data);
      expect({ run: r, diff: diff <= TOLERANCE ? 'ok' : diff }).toEqual({ run: r, diff: 'ok' });
    });
  }));
});
