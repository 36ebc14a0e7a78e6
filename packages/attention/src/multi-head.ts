import { DType, LoopflowError, Random, ShapeError, Tensor, add, allocate, fmtShape, glorotUniform, matmul, permute, reshape, slice, split, transpose, zeros } from '@loopflow/tensor';
import { AttentionOptions, AttentionResult, checkQueryOffset, scaledDotProductAttention } from './scaled-dot-product';
import { checkOutputsFrom, checkPositiveInt, fail } from './errors';
import { prepareMask } from './masks';
import { AttentionKernels } from './fused/kernels';
import { OperandLayout, fusedAttention, kernelMasks } from './fused/fused-attention';
import { fusedKernelsFor } from './fused/path';
import { affine, projectRows } from './fused/projection';
import type { LinearModule } from '@loopflow/layers';

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
 * Multi-head attention as plain data, in the names and layout of `torch.nn.MultiheadAttention`
 * (so its state dict loads with `loadStateDict` as it is): `in_proj_weight [3 * dModel, dModel]`
 * holds the query, key and value projections one under the other (rows `[0, d)`, `[d, 2d)`,
 * `[2d, 3d)`), each `[out, in]` and applied as `x @ W^T`; `in_proj_bias [3 * dModel]`;
 * `out_proj` a Linear module (`weight [dModel, dModel]`, `bias [dModel]`). Parameter names:
 * `in_proj_weight`, `in_proj_bias`, `out_proj.weight`, `out_proj.bias` (no biases with
 * `bias: false`). Weights saved before this layout (`Wq, Wk, Wv, Wo` stored `[in, out]`,
 * `bq..bo`) convert with `upgradeAttentionStateDict`.
 */
export interface MultiHeadAttentionModule {
  kind: 'multiHeadAttention';
  config: { dModel: number; heads: number; headDim: number; bias: boolean };
  /** `[3 * dModel, dModel]`: `q = x @ W[0:d]^T + b[0:d]`, `k` from rows `[d, 2d)`, `v` from `[2d, 3d)`. */
  in_proj_weight: Tensor;
  /** `[3 * dModel]` or null without bias. */
  in_proj_bias: Tensor | null;
  /** The output projection of the concatenated heads: weight `[dModel, dModel]` ([out, in]), bias `[dModel]` or null. */
  out_proj: LinearModule;
}

function checkConfig(where: string, dModel: number, heads: number): void {
  checkPositiveInt(where, 'dModel', dModel);
  checkPositiveInt(where, 'heads', heads);
  if (dModel % heads !== 0) fail('INVALID_ARGUMENT', `${where}: dModel ${dModel} is not divisible by heads ${heads}; choose dModel a multiple of heads`);
}

/** `[n, n]` transposed into `out` at row `row` (out has n columns). */
function transposeInto(source: Float32Array | Float64Array, n: number, out: Float32Array | Float64Array, row: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[(row + j) * n + i] = source[i * n + j];
}

/**
 * A multi-head attention layer: Glorot-uniform weights drawn per projection (q, k, v, then the
 * output, each as a `[dModel, dModel]` block), zero biases.
 *
 * @example
 * const mha = createMultiHeadAttention(new Random(0), { dModel: 64, heads: 4 });
 * const { output } = multiHeadAttention(mha, x, { causal: true }); // [B, T, 64] -> [B, T, 64]
 */
export function createMultiHeadAttention(rng: Random, config: MultiHeadAttentionConfig, options: { dtype?: DType } = {}): MultiHeadAttentionModule {
  const { dModel: d, heads } = config;
  checkConfig('createMultiHeadAttention', d, heads);
  const bias = config.bias ?? true;
  const dtype = options.dtype ?? 'float32';
  // The draws (q, k, v, out, each [d, d] row-major) are those of the [in, out] layout this
  // module had before; stored transposed, they give the same function for the same seed.
  const inProj = allocate(dtype, 3 * d * d);
  for (let part = 0; part < 3; part++) transposeInto(glorotUniform(rng, [d, d], 1, { dtype }).data, d, inProj, part * d);
  const outWeight = allocate(dtype, d * d);
  transposeInto(glorotUniform(rng, [d, d], 1, { dtype }).data, d, outWeight, 0);
  return {
    kind: 'multiHeadAttention',
    config: { dModel: d, heads, headDim: d / heads, bias },
    in_proj_weight: new Tensor(inProj, [3 * d, d], true),
    in_proj_bias: bias ? zeros([3 * d], { dtype, requiresGrad: true }) : null,
    out_proj: {
      kind: 'linear',
      config: { inFeatures: d, outFeatures: d, bias },
      weight: new Tensor(outWeight, [d, d], true),
      bias: bias ? zeros([d], { dtype, requiresGrad: true }) : null,
    },
  };
}

/**
 * Tensors named as in the state dict of a `torch.nn.MultiheadAttention` (same-sized q, k, v):
 * `in_proj_weight [3d, d]`, `in_proj_bias [3d]`, `out_proj.weight [d, d]`, `out_proj.bias [d]`.
 */
export interface MultiHeadAttentionTensors {
  in_proj_weight: Tensor;
  in_proj_bias?: Tensor | null;
  'out_proj.weight': Tensor;
  'out_proj.bias'?: Tensor | null;
}

/**
 * A multi-head attention module around existing tensors (used as given, not copied), e.g.
 * the state dict of a `torch.nn.MultiheadAttention` read from a safetensors file. Either both
 * biases or none.
 *
 * @example const mha = multiHeadAttentionFromTensors(loadSafetensors('mha.safetensors').tensors, 2);
 */
export function multiHeadAttentionFromTensors(tensors: MultiHeadAttentionTensors, heads: number): MultiHeadAttentionModule {
  const where = 'multiHeadAttentionFromTensors';
  const inWeight = tensors.in_proj_weight;
  const outWeight = tensors['out_proj.weight'];
  if (!inWeight || !outWeight) {
    fail('INVALID_ARGUMENT', `${where}: ${inWeight ? "'out_proj.weight'" : "'in_proj_weight'"} is missing; pass the state dict of a torch.nn.MultiheadAttention (in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias), or convert Wq..Wo weights with upgradeAttentionStateDict`);
  }
  const dModel = inWeight.shape[1];
  checkConfig(where, dModel, heads);
  const inBias = tensors.in_proj_bias ?? null;
  const outBias = tensors['out_proj.bias'] ?? null;
  if ((inBias === null) !== (outBias === null)) fail('INVALID_ARGUMENT', `${where}: ${inBias ? "'out_proj.bias'" : "'in_proj_bias'"} is missing; pass both biases or none`);
  const expect = (name: string, t: Tensor | null, shape: number[], layout: string) => {
    if (t && (t.ndim !== shape.length || t.shape.some((n, i) => n !== shape[i]))) {
      throw new ShapeError(`${where}: '${name}' has shape ${fmtShape(t.shape)}; expected ${fmtShape(shape)}${layout} (dModel ${dModel})`);
    }
  };
  expect('in_proj_weight', inWeight, [3 * dModel, dModel], ' ([3 * dModel, dModel]: q, k, v one under the other, each [out, in])');
  expect('in_proj_bias', inBias, [3 * dModel], '');
  expect('out_proj.weight', outWeight, [dModel, dModel], ' ([out, in])');
  expect('out_proj.bias', outBias, [dModel], '');
  const bias = inBias !== null;
  return {
    kind: 'multiHeadAttention',
    config: { dModel, heads, headDim: dModel / heads, bias },
    in_proj_weight: inWeight,
    in_proj_bias: inBias,
    out_proj: { kind: 'linear', config: { inFeatures: dModel, outFeatures: dModel, bias }, weight: outWeight, bias: outBias },
  };
}

/** One projection of multi-head attention: `weight [dModel, dModel]` ([out, in], applied as `x @ weight^T`), `bias [dModel]` or null. */
export interface AttentionProjection {
  weight: Tensor;
  bias: Tensor | null;
}

/**
 * The four projections of a multi-head attention module, each a `[dModel, dModel]` `[out, in]`
 * weight (and `[dModel]` bias) **sharing storage** with the module (views of
 * `in_proj_weight`'s rows; not recorded by autograd): what an exporter reads. For
 * `[in, out]` (`x @ W`) take the transpose.
 *
 * @example const { query, key, value, output } = attentionProjections(mha);
 */
export function attentionProjections(m: MultiHeadAttentionModule): { query: AttentionProjection; key: AttentionProjection; value: AttentionProjection; output: AttentionProjection } {
  const d = m.config.dModel;
  const rows = (part: number): AttentionProjection => ({
    weight: new Tensor(m.in_proj_weight.data.subarray(part * d * d, (part + 1) * d * d), [d, d]),
    bias: m.in_proj_bias ? new Tensor(m.in_proj_bias.data.subarray(part * d, (part + 1) * d), [d]) : null,
  });
  return { query: rows(0), key: rows(1), value: rows(2), output: { weight: m.out_proj.weight, bias: m.out_proj.bias } };
}

/** `x [..., in] @ W^T + b` with W `[out, in]` (PyTorch layout), composed from tensor ops. */
function project(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = matmul(x, transpose(w)); // [B, T, in] @ [in, out] -> [B, T, out]
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

/**
 * Options of `multiHeadAttention`: those of attention (but `queryOffset`, which `outputsFrom`
 * sets), plus an optional context for cross-attention and the first position to compute.
 */
export interface MultiHeadAttentionOptions extends Omit<AttentionOptions, 'queryOffset'> {
  /** Keys and values come from `context [B, S, dModel]` instead of `x` (cross-attention). */
  context?: Tensor;
  /**
   * Compute the outputs of positions `outputsFrom..T-1` only (default 0: all): queries from
   * those rows of x, keys and values from every position (of x, or of `context`); output
   * `[B, T - outputsFrom, dModel]`, weights `[B, heads, T - outputsFrom, S]`, equal to those
   * rows of the full call (with `causal`, query t still sees keys 0..t). `mask` keeps the full
   * call's shape (broadcasting to `[B, heads, T, S]`); its rows from `outputsFrom` are used.
   * A whole number in `[0, T - 1]`. What a model whose loss reads only the last positions needs
   * in its last layer.
   */
  outputsFrom?: number;
}

/**
 * Rows `[from, T)` of a mask that broadcasts to `[B, heads, T, S]` (its row axis of size T is
 * sliced; one of size 1, or a mask of one axis, broadcasts as it is).
 */
function maskRowsFrom(mask: Tensor, T: number, from: number): Tensor {
  if (from === 0 || mask.ndim < 2) return mask;
  const axis = mask.ndim - 2;
  const rows = mask.shape[axis];
  if (rows === 1) return mask;
  if (rows !== T) {
    throw new ShapeError(`multiHeadAttention: mask of shape ${fmtShape(mask.shape)} has ${rows} query rows; expected 1 or ${T} (the mask of the full call, broadcasting to [B, heads, T, S], even with outputsFrom ${from})`);
  }
  return slice(mask.detach(), axis, from);
}

/**
 * Multi-head (self-)attention:
 * `y = concat_h(softmax(mask(Q_h K_h^T / sqrt(dh))) V_h) Wo^T + bo` with `Q = x Wq^T + bq`,
 * `K = c Wk^T + bk`, `V = c Wv^T + bv` (c = context, or x itself; `Wq, Wk, Wv` the row blocks
 * of `in_proj_weight`, `Wo` = `out_proj.weight`), as `torch.nn.MultiheadAttention`.
 *
 * Shapes: x `[B, T, dModel]` -> output `[B, T, dModel]`, weights `[B, heads, T, S]` (S = T
 * for self-attention). Masks as in `scaledDotProductAttention`: `keyMask [B, S]`, `mask`
 * broadcasting to `[B, heads, T, S]`, `causal`. With `outputsFrom: r` only positions r..T-1
 * are computed (`[B, T - r, dModel]`, weights `[B, heads, T - r, S]`), from keys and values
 * over every position.
 *
 * @example
 * const { output, weights } = multiHeadAttention(mha, x, { causal: true });
 * const last = multiHeadAttention(mha, x, { causal: true, outputsFrom: T - 1, returnWeights: false }).output; // [B, 1, dModel]
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
  const dtype = m.in_proj_weight.dtype;
  if (dtype !== x.dtype) {
    throw new LoopflowError('DTYPE_MISMATCH', `multiHeadAttention: the weights are ${dtype} but x is ${x.dtype}; convert x with .to('${dtype}') or create the module with { dtype: '${x.dtype}' }`);
  }
  const T = x.shape[1];
  const from = checkOutputsFrom('multiHeadAttention', options.outputsFrom, T);
  const mask = options.mask ? maskRowsFrom(options.mask, T, from) : undefined;
  const weightsAsked = options.returnWeights ?? true;
  const parameters = [m.in_proj_weight, m.in_proj_bias, m.out_proj.weight, m.out_proj.bias].filter((t): t is Tensor => t !== null);
  const kernels = fusedKernelsFor('multiHeadAttention', [x, context, ...parameters], weightsAsked);
  if (kernels) return { output: fusedMultiHead(kernels, m, x, context, from, mask, options), weights: null };
  const [Wq, Wk, Wv] = split(m.in_proj_weight, 3, 0); // 3 x [dModel, dModel], [out, in]
  const [bq, bk, bv] = m.in_proj_bias ? split(m.in_proj_bias, 3, 0) : [null, null, null];
  const queries = from > 0 ? slice(x, 1, from) : x; // [B, Tq, dModel], Tq = T - from
  const q = splitHeads(project(queries, Wq, bq), heads); // [B, H, Tq, dh]
  const k = splitHeads(project(context, Wk, bk), heads); // [B, H, S, dh]
  const v = splitHeads(project(context, Wv, bv), heads); // [B, H, S, dh]
  const { output, weights } = scaledDotProductAttention(q, k, v, {
    mask, keyMask: options.keyMask, causal: options.causal, queryChunk: options.queryChunk, returnWeights: weightsAsked, queryOffset: from,
  }); // [B, H, Tq, dh], [B, H, Tq, S]
  return { output: project(mergeHeads(output), m.out_proj.weight, m.out_proj.bias), weights }; // [B, Tq, dModel]
}

/**
 * The fused path of `multiHeadAttention` (float32, no weights): the projections as single
 * nodes (self-attention: q, k and v from one product into `[B, T, 3 * dModel]`), and one fused
 * attention node that reads each head's columns in place and writes its output straight into
 * the merged `[B, Tq, dModel]` layout (no split or merge of heads, no permutes). With
 * `from` > 0 (outputsFrom), self-attention's queries are rows `from..` of that same product
 * (the operand's offset: nothing copied) at query offset `from`; cross-attention projects
 * those rows of x alone. `mask` is already cut to the query rows.
 */
function fusedMultiHead(kernels: AttentionKernels, m: MultiHeadAttentionModule, x: Tensor, context: Tensor, from: number, userMask: Tensor | undefined, options: MultiHeadAttentionOptions): Tensor {
  const { dModel: d, heads: H, headDim: dh } = m.config;
  const [B, T] = x.shape;
  const Tq = T - from; // queries computed
  const S = context.shape[1];
  checkQueryOffset('multiHeadAttention', from, Tq, S, options.causal ?? false);
  if (options.queryChunk !== undefined && (!Number.isInteger(options.queryChunk) || options.queryChunk < 1)) {
    fail('INVALID_ARGUMENT', `multiHeadAttention: queryChunk = ${options.queryChunk}; expected a positive integer`);
  }
  const keyMask = options.keyMask ?? null;
  if (keyMask && (keyMask.ndim !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== S)) {
    throw new ShapeError(`multiHeadAttention: keyMask of shape ${fmtShape(keyMask.shape)}; expected [${B}, ${S}] ([B, Tk]: 1 for real keys, 0 for padding)`);
  }
  const mask = userMask ? prepareMask('multiHeadAttention', userMask, [B, H, Tq, S], '[B, heads, Tq, Tk]') : null;
  const common = {
    batch: B, heads: H, queries: Tq, keys: S, keyDim: dh, valueDim: dh, causal: options.causal ?? false, queryOffset: from,
    ...kernelMasks(keyMask, mask, Tq, S),
    outShape: [B, Tq, d], out: { batch: Tq * d, head: dh, row: d }, // heads side by side: [B, Tq, H * dh]
  };
  let attended: Tensor; // [B, Tq, dModel]
  const W = m.in_proj_weight; // [3d, d], read in place (the product's transB): no copy
  const b = m.in_proj_bias;
  if (context === x) {
    const qkv = projectRows(x, W, b, 0, 3 * d); // [B, T, 3 * dModel]
    const part = (offset: number): OperandLayout => ({ source: 0, offset, batch: T * 3 * d, head: dh, row: 3 * d });
    // The queries: rows from..T-1 of the q columns, read in place.
    attended = fusedAttention(kernels, { sources: [qkv], q: part(from * 3 * d), k: part(d), v: part(2 * d), ...common });
  } else {
    const q = projectRows(from > 0 ? slice(x, 1, from) : x, W, b, 0, d); // [B, Tq, dModel]
    const kv = projectRows(context, W, b, d, 2 * d); // [B, S, 2 * dModel]: keys, then values
    const of = (source: number, offset: number, length: number, row: number): OperandLayout => ({ source, offset, batch: length * row, head: dh, row });
    attended = fusedAttention(kernels, { sources: [q, kv], q: of(0, 0, Tq, d), k: of(1, 0, S, 2 * d), v: of(1, d, S, 2 * d), ...common });
  }
  return affine(attended, m.out_proj.weight, m.out_proj.bias); // [B, Tq, dModel]
}
