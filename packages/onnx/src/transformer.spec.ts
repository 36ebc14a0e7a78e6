import { Random, Tensor, permute, split, tensor, uniform } from '@loopflow/tensor';
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
 * The encoder's attention stored in the layout loopflow had before PyTorch's (Wq..Wo [in, out],
 * bq..bo) instead of nn.MultiheadAttention's (in_proj_weight [3d, d] rows q, k, v as [out, in];
 * out_proj): the accessor reads it to the same graph, checked against the encoder as it is.
 */
function oldLayoutCase(): Prepared {
  const prepared = encoderCase('encoder, attention in the old Wq..Wo layout', { ...base({ kind: 'features', size: FEATURES }), pooling: 'mean' }, [[5, 2, 4]]);
  const rng = new Random(5);
  const model = createEncoder(rng, { ...base({ kind: 'features', size: FEATURES }), pooling: 'mean' });
  perturb(model, rng);
  for (const block of model.blocks) {
    const a = block.self_attn as unknown as Record<string, unknown>;
    const t = (w: Tensor): Tensor => permute(w, [1, 0]);
    const [Wq, Wk, Wv] = split(a.in_proj_weight as Tensor, 3, 0); // each [d, d], [out, in]
    const [bq, bk, bv] = split(a.in_proj_bias as Tensor, 3, 0);
    const outProj = a.out_proj as { weight: Tensor; bias: Tensor };
    Object.assign(a, { Wq: t(Wq), Wk: t(Wk), Wv: t(Wv), Wo: t(outProj.weight), bq, bk, bv, bo: outProj.bias }); // [in, out]
    for (const key of ['in_proj_weight', 'in_proj_bias', 'out_proj']) delete a[key];
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
  oldLayoutCase,
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
