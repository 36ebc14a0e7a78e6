import { sinusoidalEncoding } from '@loopflow/attention';
import { GraphBuilder } from './proto/graph';
import { OnnxError } from './errors';
import { ExportOnnxOptions } from './options';
import { attentionWeights } from './attention-weights';
import { addDimension, addForecastLayout, addGather, addLinear, addProjection, addStepMask, LinearLike } from './graph-ops';
import { weightData } from './weights';
import type { PipelineModelDescription } from './description';

/** The parts of a transformer (`DecoderModel`, `EncoderModel` of @loopflow/attention) the graph reads. */
interface TransformerLike {
  kind: 'decoder' | 'encoder';
  config: {
    input: { kind: 'tokens'; vocabSize: number } | { kind: 'features'; size: number };
    outputSize: number; dModel: number; heads: number; mlpWidth: number; activation: 'gelu' | 'relu';
    bias: boolean; layerNormEps: number; layers: number; positional: 'sinusoidal' | 'learned' | 'none'; maxLength: number;
    pooling?: 'mean' | 'first' | 'last';
  };
  embed: { weight: unknown; bias?: unknown };
  positions: { kind: string; embedding?: { weight: unknown }; config: { base?: number } } | null;
  blocks: { norm1: LayerNormLike; self_attn: unknown; norm2: LayerNormLike; linear1: LinearLike; linear2: LinearLike }[];
  norm: LayerNormLike;
  head: LinearLike;
}

interface LayerNormLike {
  weight: unknown;
  bias: unknown;
  config: { eps: number };
}

/** Where the graph's layout comes from: a pipeline model (time-major, its task) or a transformer alone (batch-major). */
export interface TransformerGraphContext {
  timeMajor: boolean;
  description?: PipelineModelDescription;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** What a blocked attention score becomes before the softmax: exp() of it minus any real score is 0. */
const BLOCKED_SCORE = -1e30;

function layerNormNode(g: GraphBuilder, x: string, m: LayerNormLike, d: number, where: string): string {
  const scale = m?.weight === null || m?.weight === undefined ? new Float32Array(d).fill(1) : weightData(`${where}.weight`, m.weight, [d]);
  const bias = m?.bias === null || m?.bias === undefined ? null : weightData(`${where}.bias`, m.bias, [d]);
  const inputs = [x, g.floats(`${where.replace(/\./g, '_')}_scale`, scale, [d])];
  if (bias) inputs.push(g.floats(`${where.replace(/\./g, '_')}_bias`, bias, [d]));
  return g.op1('LayerNormalization', inputs, { axis: { int: -1 }, epsilon: { float: m.config.eps } }, where.replace(/\./g, '_'));
}

/** GELU, tanh approximation, composed as @loopflow/attention's `gelu`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`. */
function geluNode(g: GraphBuilder, x: string): string {
  const cube = g.op1('Mul', [g.op1('Mul', [x, x]), x], {}, 'cube');
  const inner = g.op1('Mul', [g.op1('Add', [x, g.op1('Mul', [cube, g.scalar(0.044715, 'float32')])]), g.scalar(SQRT_2_OVER_PI, 'float32')], {}, 'gelu_inner');
  return g.op1('Mul', [g.op1('Mul', [x, g.scalar(0.5, 'float32')]), g.op1('Add', [g.op1('Tanh', [inner]), g.scalar(1, 'float32')])], {}, 'gelu');
}

/** Multi-head self-attention `[B, T, d] -> [B, T, d]`; `allowed` broadcasts to `[B, heads, T, T]` (bool) or is null. */
function attentionNode(g: GraphBuilder, x: string, module: unknown, allowed: string | null, where: string): string {
  const w = attentionWeights(module, where);
  const d = w.dModel;
  const dh = d / w.heads;
  const splitShape = g.int64s('split_heads', [0, 0, w.heads, dh]);
  const heads = (value: string, perm: number[], hint: string): string =>
    g.op1('Transpose', [g.op1('Reshape', [value, splitShape])], { perm: { ints: perm } }, hint);
  const q = heads(addProjection(g, x, w.Wq, w.bq, d, d, `${where}.q`), [0, 2, 1, 3], 'q'); // [B, h, T, dh]
  const kT = heads(addProjection(g, x, w.Wk, w.bk, d, d, `${where}.k`), [0, 2, 3, 1], 'k_t'); // [B, h, dh, T]
  const v = heads(addProjection(g, x, w.Wv, w.bv, d, d, `${where}.v`), [0, 2, 1, 3], 'v'); // [B, h, T, dh]
  const scaled = g.op1('Mul', [q, g.scalar(1 / Math.sqrt(dh), 'float32')], {}, 'q_scaled');
  let scores = g.op1('MatMul', [scaled, kT], {}, 'scores'); // [B, h, T, T]
  if (allowed) scores = g.op1('Where', [allowed, scores, g.scalar(BLOCKED_SCORE, 'float32')], {}, 'scores_masked');
  const weights = g.op1('Softmax', [scores], { axis: { int: -1 } }, 'attention_weights');
  const attended = g.op1('MatMul', [weights, v], {}, 'attended'); // [B, h, T, dh]
  const merged = g.op1('Reshape', [g.op1('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }), g.int64s('merge_heads', [0, 0, d])], {}, 'merged'); // [B, T, d]
  return addProjection(g, merged, w.Wo, w.bo, d, d, `${where}.o`);
}

function checkTransformer(model: unknown): TransformerLike {
  const m = model as TransformerLike;
  if (!m || typeof m !== 'object' || (m.kind !== 'decoder' && m.kind !== 'encoder') || !m.config || !Array.isArray(m.blocks)) {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: expected a transformer (createDecoder() or createEncoder() of @loopflow/attention), received ${m && typeof m === 'object' ? `kind ${JSON.stringify(m.kind)}` : typeof m}`);
  }
  if (m.blocks.length !== m.config.layers) {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: the ${m.kind} has ${m.blocks.length} blocks but config.layers is ${m.config.layers}; load weights made for this config`);
  }
  return m;
}

/**
 * The graph of a transformer decoder or encoder (@loopflow/attention). Batch-major alone (`x`
 * `[B, T]` ids or `[B, T, F]`; output `[B, T, outputSize]` for a decoder, `[B, outputSize]` for an
 * encoder), time-major inside a pipeline model (`x` `[T, B]` or `[T, B, F]`; output as the task's).
 * An encoder takes `sequence_lens` `[B]` (its key padding mask and pooling); a decoder is causal
 * and takes none.
 */
export function transformerGraph(model: unknown, options: ExportOnnxOptions, context: TransformerGraphContext): GraphBuilder {
  const m = checkTransformer(model);
  const c = m.config;
  const d = c.dModel;
  const isEncoder = m.kind === 'encoder';
  if (options.initialState) {
    throw new OnnxError('ONNX_INVALID_OPTIONS', `exportOnnx: initialState: the ${m.kind} carries no state from call to call; remove the option`);
  }
  if (!isEncoder && options.sequenceLens) {
    throw new OnnxError('ONNX_INVALID_OPTIONS', 'exportOnnx: sequenceLens: the decoder is causal (the output at t reads steps 0..t only), so padding after a sequence never reaches its real steps and it takes no lengths; remove the option');
  }
  const g = new GraphBuilder();
  const tokens = c.input.kind === 'tokens';
  const layoutT = context.timeMajor ? ['T', 'B'] : ['B', 'T'];
  const x = tokens
    ? g.input('x', 'int64', layoutT, `token ids ${context.timeMajor ? '[T, B]' : '[B, T]'}`)
    : g.input('x', 'float32', [...layoutT, (c.input as { size: number }).size], `features ${context.timeMajor ? '[T, B, F]' : '[B, T, F]'}`);
  const lens = isEncoder && (options.sequenceLens ?? context.timeMajor)
    ? g.input('sequence_lens', 'int32', ['B'], 'real steps per sequence [B]; padding trails')
    : null;
  const batchMajor = context.timeMajor ? g.op1('Transpose', [x], { perm: { ints: tokens ? [1, 0] : [1, 0, 2] } }, 'x_batch_major') : x;
  const steps = addDimension(g, batchMajor, 1, 'T'); // [1]

  // embedding and positions: [B, T, d]
  let h = tokens
    ? addGather(g, batchMajor, m.embed.weight, (c.input as { vocabSize: number }).vocabSize, d, 'embed.weight')
    : addLinear(g, batchMajor, m.embed as LinearLike, (c.input as { size: number }).size, d, 'embed');
  if (c.positional !== 'none') {
    let table: Float32Array;
    let rows: number;
    if (c.positional === 'learned') {
      rows = c.maxLength;
      table = weightData('positions.embedding.weight', m.positions?.embedding?.weight, [rows, d]);
    } else {
      rows = options.maxLength ?? c.maxLength;
      table = Float32Array.from(sinusoidalEncoding(rows, d, { base: m.positions?.config.base ?? 10000 }).data);
    }
    const stored = g.floats('positions', table, [rows, d]);
    const used = g.op1('Slice', [stored, g.int64s('start0', [0]), steps, g.int64s('axis0', [0])], {}, 'positions_used'); // [T, d]
    h = g.op1('Add', [h, used], {}, 'embedded_positions');
  }

  // where each query may look: [1, 1, T, T] causal and/or [B, 1, 1, T] real keys
  let allowed: string | null = null;
  if (!isEncoder) {
    const square = g.op1('Concat', [steps, steps], { axis: { int: 0 } }, 'square_shape');
    const ones = g.op1('Expand', [g.scalar(1, 'float32'), square], {}, 'ones_tt');
    allowed = g.op1('Cast', [g.op1('Trilu', [ones], { upper: { int: 0 } }, 'lower_triangle')], { to: { int: 9 } }, 'causal'); // [T, T]
  }
  const realSteps = lens ? addStepMask(g, lens, steps, 'bool') : null; // [B, T]
  if (realSteps) allowed = g.op1('Unsqueeze', [realSteps, g.int64s('axes_1_2', [1, 2])], {}, 'real_keys'); // [B, 1, 1, T]

  m.blocks.forEach((block, i) => {
    const where = `blocks.${i}`;
    const attended = attentionNode(g, layerNormNode(g, h, block.norm1, d, `${where}.norm1`), block.self_attn, allowed, `${where}.self_attn`);
    h = g.op1('Add', [h, attended], {}, `${where}_residual1`.replace(/\./g, '_'));
    const hidden = addLinear(g, layerNormNode(g, h, block.norm2, d, `${where}.norm2`), block.linear1, d, c.mlpWidth, `${where}.linear1`);
    const activated = c.activation === 'relu' ? g.op1('Relu', [hidden]) : geluNode(g, hidden);
    h = g.op1('Add', [h, addLinear(g, activated, block.linear2, c.mlpWidth, d, `${where}.linear2`)], {}, `${where}_residual2`.replace(/\./g, '_'));
  });
  h = layerNormNode(g, h, m.norm, d, 'norm'); // [B, T, d]

  const task = context.description;
  if (!isEncoder) {
    const logits = addLinear(g, h, m.head, d, c.outputSize, 'head'); // [B, T, out]
    if (task) {
      g.output(g.op1('Transpose', [logits], { perm: { ints: [1, 0, 2] } }, 'logits_tbv'), 'output', 'float32', ['T', 'B', c.outputSize], 'next-token logits [T, B, V]');
    } else {
      g.output(logits, 'output', 'float32', ['B', 'T', c.outputSize], 'outputs [B, T, outputSize]');
    }
    return g;
  }
  const weighted = g.op1('Mul', [h, poolingWeights(g, c.pooling ?? 'mean', lens, realSteps, steps)], {}, 'weighted'); // [B, T, d]
  const pooled = g.op1('ReduceSum', [weighted, g.int64s('axes1', [1])], { keepdims: { int: 0 } }, 'pooled'); // [B, d]
  const y = addLinear(g, pooled, m.head, d, c.outputSize, 'head'); // [B, out]
  if (task?.task === 'forecast') {
    g.output(addForecastLayout(g, y, task.horizon ?? 1, task.targetFeatures ?? 1), 'output', 'float32', [task.horizon ?? 1, 'B', task.targetFeatures ?? 1], 'forecast [horizon, B, targetFeatures] in scaled units');
  } else {
    g.output(y, 'output', 'float32', ['B', c.outputSize], task ? 'class logits [B, C]' : 'outputs [B, outputSize]');
  }
  return g;
}

/**
 * The encoder's pooling weights `[B, T, 1]` (@loopflow/attention's `poolingWeights`): 'mean'
 * 1/length on real steps, 'first' the first step, 'last' the last real step; all zeros for a
 * sequence of length 0. Without lengths every step is real.
 */
function poolingWeights(g: GraphBuilder, pooling: string, lens: string | null, realSteps: string | null, steps: string): string {
  const stepIndex = g.op1('Range', [g.scalar(0, 'int64'), g.op1('Squeeze', [steps, g.int64s('axes0', [0])]), g.scalar(1, 'int64')], {}, 'step_index'); // [T]
  const lengths = lens
    ? g.op1('Unsqueeze', [g.op1('Cast', [lens], { to: { int: 7 } }, 'lens_i64'), g.int64s('axes1', [1])], {}, 'lengths_b1') // [B, 1]
    : g.op1('Unsqueeze', [g.op1('Squeeze', [steps, g.int64s('axes0', [0])]), g.int64s('axes01', [0, 1])], {}, 'lengths_b1'); // [1, 1] = T
  let weights: string; // [B or 1, T]
  if (pooling === 'mean') {
    const real = realSteps ? g.op1('Cast', [realSteps], { to: { int: 1 } }, 'real_float') : g.op1('Cast', [g.op1('Less', [stepIndex, lengths])], { to: { int: 1 } }, 'real_float');
    weights = g.op1('Div', [real, g.op1('Max', [g.op1('Cast', [lengths], { to: { int: 1 } }), g.scalar(1, 'float32')])], {}, 'mean_weights');
  } else if (pooling === 'first' || pooling === 'last') {
    const target = pooling === 'first' ? g.scalar(0, 'int64') : g.op1('Sub', [lengths, g.scalar(1, 'int64')], {}, 'last_index');
    const hit = g.op1('And', [g.op1('Equal', [stepIndex, target]), g.op1('Greater', [lengths, g.scalar(0, 'int64')])], {}, 'pooled_step');
    weights = g.op1('Cast', [hit], { to: { int: 1 } }, `${pooling}_weights`);
  } else {
    throw new OnnxError('ONNX_INVALID_MODEL', `exportOnnx: encoder pooling ${JSON.stringify(pooling)}; expected 'mean', 'first' or 'last'`);
  }
  return g.op1('Unsqueeze', [weights, g.int64s('axes2', [2])], {}, 'pooling_weights'); // [B, T, 1]
}
