import { DType, LoopflowError, Random, ShapeError, Tensor, add, fmtShape, glorotUniform, matmul, permute, reshape, zeros } from '@loopflow/tensor';
import { AttentionOptions, AttentionResult, scaledDotProductAttention } from './scaled-dot-product';
import { checkPositiveInt, fail } from './errors';
import { prepareMask } from './masks';
import { AttentionKernels } from './fused/kernels';
import { OperandLayout, fusedAttention, kernelMasks } from './fused/fused-attention';
import { fusedKernelsFor } from './fused/path';
import { affine, projectQkv } from './fused/projection';

/** Sizes of a multi-head attention layer. */
export interface MultiHeadAttentionConfig {
  /** Model width: size of the input and output features. */
  dModel: number;
  /** Number of heads; must divide `dModel` (each head has `dModel / heads` features). */
  heads: number;
  /** Whether the four projections add a bias (default true). */
  bias?: boolean;
}

/**
 * Multi-head attention as plain data. The projections are applied as `x @ W` with every
 * weight stored **[in, out] = [dModel, dModel]** (the layout of the `causal_mha` golden, not
 * `torch.nn.Linear`'s [out, in]; transpose PyTorch's `in_proj_weight` blocks when loading
 * them). Parameter names: `Wq, Wk, Wv, Wo, bq, bk, bv, bo`.
 */
export interface MultiHeadAttentionModule {
  kind: 'multiHeadAttention';
  config: { dModel: number; heads: number; headDim: number; bias: boolean };
  /** `[dModel, dModel]`: queries `x @ Wq + bq`. */
  Wq: Tensor;
  /** `[dModel, dModel]`: keys. */
  Wk: Tensor;
  /** `[dModel, dModel]`: values. */
  Wv: Tensor;
  /** `[dModel, dModel]`: the output projection of the concatenated heads. */
  Wo: Tensor;
  /** `[dModel]` or null without bias. */
  bq: Tensor | null;
  bk: Tensor | null;
  bv: Tensor | null;
  bo: Tensor | null;
}

function checkConfig(where: string, dModel: number, heads: number): void {
  checkPositiveInt(where, 'dModel', dModel);
  checkPositiveInt(where, 'heads', heads);
  if (dModel % heads !== 0) fail('INVALID_ARGUMENT', `${where}: dModel ${dModel} is not divisible by heads ${heads}; choose dModel a multiple of heads`);
}

/**
 * A multi-head attention layer: Glorot-uniform weights (as PyTorch's in_proj), zero biases.
 *
 * @example
 * const mha = createMultiHeadAttention(new Random(0), { dModel: 64, heads: 4 });
 * const { output } = multiHeadAttention(mha, x, { causal: true }); // [B, T, 64] -> [B, T, 64]
 */
export function createMultiHeadAttention(rng: Random, config: MultiHeadAttentionConfig, options: { dtype?: DType } = {}): MultiHeadAttentionModule {
  const { dModel, heads } = config;
  checkConfig('createMultiHeadAttention', dModel, heads);
  const bias = config.bias ?? true;
  const dtype = options.dtype ?? 'float32';
  const weight = () => glorotUniform(rng, [dModel, dModel], 1, { dtype });
  const b = () => (bias ? zeros([dModel], { dtype, requiresGrad: true }) : null);
  return {
    kind: 'multiHeadAttention',
    config: { dModel, heads, headDim: dModel / heads, bias },
    Wq: weight(), Wk: weight(), Wv: weight(), Wo: weight(),
    bq: b(), bk: b(), bv: b(), bo: b(),
  };
}

/** Tensors named as in the `causal_mha` golden: `W* [in, out]`, optional `b* [out]`. */
export interface MultiHeadAttentionTensors {
  Wq: Tensor; Wk: Tensor; Wv: Tensor; Wo: Tensor;
  bq?: Tensor | null; bk?: Tensor | null; bv?: Tensor | null; bo?: Tensor | null;
}

/**
 * A multi-head attention module around existing tensors (used as given, not copied), e.g.
 * weights loaded from a file. Either all four biases or none.
 *
 * @example const mha = multiHeadAttentionFromTensors({ Wq, Wk, Wv, Wo, bq, bk, bv, bo }, 2);
 */
export function multiHeadAttentionFromTensors(tensors: MultiHeadAttentionTensors, heads: number): MultiHeadAttentionModule {
  const where = 'multiHeadAttentionFromTensors';
  const dModel = tensors.Wq.shape[0];
  checkConfig(where, dModel, heads);
  const biases = [tensors.bq, tensors.bk, tensors.bv, tensors.bo];
  const bias = biases.some((t) => t);
  if (bias && !biases.every((t) => t)) fail('INVALID_ARGUMENT', `${where}: some of bq, bk, bv, bo are missing; pass all four biases or none`);
  for (const name of ['Wq', 'Wk', 'Wv', 'Wo'] as const) {
    const t = tensors[name];
    if (t.ndim !== 2 || t.shape[0] !== dModel || t.shape[1] !== dModel) {
      throw new ShapeError(`${where}: ${name} has shape ${fmtShape(t.shape)}; expected [${dModel}, ${dModel}] ([in, out], applied as x @ ${name})`);
    }
  }
  for (const name of ['bq', 'bk', 'bv', 'bo'] as const) {
    const t = tensors[name];
    if (t && (t.ndim !== 1 || t.shape[0] !== dModel)) throw new ShapeError(`${where}: ${name} has shape ${fmtShape(t.shape)}; expected [${dModel}]`);
  }
  return {
    kind: 'multiHeadAttention',
    config: { dModel, heads, headDim: dModel / heads, bias },
    Wq: tensors.Wq, Wk: tensors.Wk, Wv: tensors.Wv, Wo: tensors.Wo,
    bq: tensors.bq ?? null, bk: tensors.bk ?? null, bv: tensors.bv ?? null, bo: tensors.bo ?? null,
  };
}

function project(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = matmul(x, w); // [B, T, in] @ [in, out] -> [B, T, out]
  return b ? add(y, b) : y;
}

/** [B, T, d] -> [B, heads, T, d/heads] */
function splitHeads(x: Tensor, heads: number): Tensor {
  const [B, T, d] = x.shape;
  return permute(reshape(x, [B, T, heads, d / heads]), [0, 2, 1, 3]);
}

/** [B, heads, T, dh] -> [B, T, heads * dh] */
function mergeHeads(x: Tensor): Tensor {
  const [B, H, T, dh] = x.shape;
  return reshape(permute(x, [0, 2, 1, 3]), [B, T, H * dh]);
}

/** Options of `multiHeadAttention`: those of attention, plus an optional context for cross-attention. */
export interface MultiHeadAttentionOptions extends AttentionOptions {
  /** Keys and values come from `context [B, S, dModel]` instead of `x` (cross-attention). */
  context?: Tensor;
}

/**
 * Multi-head (self-)attention:
 * `y = concat_h(softmax(mask(Q_h K_h^T / sqrt(dh))) V_h) Wo + bo` with `Q = x Wq + bq`,
 * `K = c Wk + bk`, `V = c Wv + bv` (c = context, or x itself).
 *
 * Shapes: x `[B, T, dModel]` -> output `[B, T, dModel]`, weights `[B, heads, T, S]` (S = T
 * for self-attention). Masks as in `scaledDotProductAttention`: `keyMask [B, S]`, `mask`
 * broadcasting to `[B, heads, T, S]`, `causal`.
 *
 * @example
 * const { output, weights } = multiHeadAttention(mha, x, { causal: true });
 */
export function multiHeadAttention(m: MultiHeadAttentionModule, x: Tensor, options?: MultiHeadAttentionOptions & { returnWeights?: true }): { output: Tensor; weights: Tensor };
export function multiHeadAttention(m: MultiHeadAttentionModule, x: Tensor, options: MultiHeadAttentionOptions): AttentionResult;
export function multiHeadAttention(m: MultiHeadAttentionModule, x: Tensor, options: MultiHeadAttentionOptions = {}): AttentionResult {
  const { dModel, heads } = m.config;
  const context = options.context ?? x;
  for (const [name, t] of [['x', x], ['context', context]] as const) {
    if (t.ndim !== 3 || t.shape[2] !== dModel) {
      throw new ShapeError(`multiHeadAttention: ${name} has shape ${fmtShape(t.shape)}; expected [B, T, ${dModel}] (dModel ${dModel})`);
    }
  }
  if (context.shape[0] !== x.shape[0]) {
    throw new ShapeError(`multiHeadAttention: x ${fmtShape(x.shape)} and context ${fmtShape(context.shape)} have different batch sizes`);
  }
  if (m.Wq.dtype !== x.dtype) {
    throw new LoopflowError('DTYPE_MISMATCH', `multiHeadAttention: the weights are ${m.Wq.dtype} but x is ${x.dtype}; convert x with .to('${m.Wq.dtype}') or create the module with { dtype: '${x.dtype}' }`);
  }
  const weightsAsked = options.returnWeights ?? true;
  const parameters = [m.Wq, m.Wk, m.Wv, m.Wo, m.bq, m.bk, m.bv, m.bo].filter((t): t is Tensor => t !== null);
  const kernels = fusedKernelsFor('multiHeadAttention', [x, context, ...parameters], weightsAsked);
  if (kernels) return { output: fusedMultiHead(kernels, m, x, context, options), weights: null };
  const q = splitHeads(project(x, m.Wq, m.bq), heads); // [B, H, T, dh]
  const k = splitHeads(project(context, m.Wk, m.bk), heads); // [B, H, S, dh]
  const v = splitHeads(project(context, m.Wv, m.bv), heads); // [B, H, S, dh]
  const { output, weights } = scaledDotProductAttention(q, k, v, options); // [B, H, T, dh], [B, H, T, S]
  return { output: project(mergeHeads(output), m.Wo, m.bo), weights }; // [B, T, dModel]
}

/**
 * The fused path of `multiHeadAttention` (float32, no weights): the projections as single
 * nodes (self-attention: q, k and v from one product into `[B, T, 3 * dModel]`), and one fused
 * attention node that reads each head's columns in place and writes its output straight into
 * the merged `[B, T, dModel]` layout (no split or merge of heads, no permutes).
 */
function fusedMultiHead(kernels: AttentionKernels, m: MultiHeadAttentionModule, x: Tensor, context: Tensor, options: MultiHeadAttentionOptions): Tensor {
  const { dModel: d, heads: H, headDim: dh } = m.config;
  const [B, T] = x.shape;
  const S = context.shape[1];
  if (options.queryChunk !== undefined && (!Number.isInteger(options.queryChunk) || options.queryChunk < 1)) {
    fail('INVALID_ARGUMENT', `multiHeadAttention: queryChunk = ${options.queryChunk}; expected a positive integer`);
  }
  const keyMask = options.keyMask ?? null;
  if (keyMask && (keyMask.ndim !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== S)) {
    throw new ShapeError(`multiHeadAttention: keyMask of shape ${fmtShape(keyMask.shape)}; expected [${B}, ${S}] ([B, Tk]: 1 for real keys, 0 for padding)`);
  }
  const mask = options.mask ? prepareMask('multiHeadAttention', options.mask, [B, H, T, S], '[B, heads, Tq, Tk]') : null;
  const common = {
    batch: B, heads: H, queries: T, keys: S, keyDim: dh, valueDim: dh, causal: options.causal ?? false,
    ...kernelMasks(keyMask, mask, T, S),
    outShape: [B, T, d], out: { batch: T * d, head: dh, row: d }, // heads side by side: [B, T, H * dh]
  };
  let attended: Tensor; // [B, T, dModel]
  if (context === x) {
    const qkv = projectQkv(x, [m.Wq, m.Wk, m.Wv], [m.bq, m.bk, m.bv]); // [B, T, 3 * dModel]
    const part = (offset: number): OperandLayout => ({ source: 0, offset, batch: T * 3 * d, head: dh, row: 3 * d });
    attended = fusedAttention(kernels, { sources: [qkv], q: part(0), k: part(d), v: part(2 * d), ...common });
  } else {
    const q = affine(x, m.Wq, m.bq); // [B, T, dModel]
    const k = affine(context, m.Wk, m.bk); // [B, S, dModel]
    const v = affine(context, m.Wv, m.bv); // [B, S, dModel]
    const of = (source: number, length: number): OperandLayout => ({ source, offset: 0, batch: length * d, head: dh, row: d });
    attended = fusedAttention(kernels, { sources: [q, k, v], q: of(0, T), k: of(1, S), v: of(2, S), ...common });
  }
  return affine(attended, m.Wo, m.bo); // [B, T, dModel]
}
