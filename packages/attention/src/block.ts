import { DType, Random, ShapeError, Tensor, add, fmtShape, relu, slice } from '@loopflow/tensor';
import { DropoutModule, LayerNormModule, LinearModule, createDropout, createLayerNorm, createLinear, dropout, layerNorm, linear, linearGelu } from '@loopflow/layers';
import { MultiHeadAttentionModule, createMultiHeadAttention, multiHeadAttention } from './multi-head';
import { AttentionOptions } from './scaled-dot-product';
import { checkOutputsFrom, checkPositiveInt, checkProbability, fail } from './errors';

/** The activation of the block's MLP. */
export type MlpActivation = 'gelu' | 'relu';

/** Sizes and options of a pre-norm transformer block. */
export interface TransformerBlockConfig {
  /** Model width. */
  dModel: number;
  /** Attention heads; must divide dModel. */
  heads: number;
  /** Hidden width of the MLP (default 4 * dModel). */
  mlpWidth?: number;
  /** 'gelu' (tanh approximation, default) or 'relu'. */
  activation?: MlpActivation;
  /** Dropout on the attention and MLP outputs before each residual add (default 0). */
  dropout?: number;
  /** Biases in the attention projections and the MLP (default true). */
  bias?: boolean;
  /** LayerNorm epsilon (default 1e-5). */
  layerNormEps?: number;
}

/** A block's config with every default filled in. */
export type ResolvedBlockConfig = Required<TransformerBlockConfig>;

/**
 * A pre-norm transformer block as plain data:
 * `x = x + drop(MHA(LN1(x)))`, then `x = x + drop(linear2(act(linear1(LN2(x)))))`: the structure
 * and parameter names of `torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
 * batch_first=True, norm_first=True)` (with `activation='relu'`, or
 * `nn.GELU(approximate='tanh')` for 'gelu'), so its state dict loads as it is:
 * `norm1.*`, `self_attn.in_proj_weight`, `self_attn.in_proj_bias`, `self_attn.out_proj.*`,
 * `norm2.*`, `linear1.*`, `linear2.*` (Linear modules of `@loopflow/layers`, [out, in]).
 */
export interface TransformerBlock {
  kind: 'transformerBlock';
  config: ResolvedBlockConfig;
  norm1: LayerNormModule;
  self_attn: MultiHeadAttentionModule;
  norm2: LayerNormModule;
  /** `[mlpWidth, dModel]` */
  linear1: LinearModule;
  /** `[dModel, mlpWidth]` */
  linear2: LinearModule;
  dropout: DropoutModule;
}

/** Fills in a block config's defaults and checks it. */
export function resolveBlockConfig(config: TransformerBlockConfig, where = 'createTransformerBlock'): ResolvedBlockConfig {
  checkPositiveInt(where, 'dModel', config.dModel);
  checkPositiveInt(where, 'heads', config.heads);
  const resolved: ResolvedBlockConfig = {
    dModel: config.dModel,
    heads: config.heads,
    mlpWidth: config.mlpWidth ?? 4 * config.dModel,
    activation: config.activation ?? 'gelu',
    dropout: config.dropout ?? 0,
    bias: config.bias ?? true,
    layerNormEps: config.layerNormEps ?? 1e-5,
  };
  checkPositiveInt(where, 'mlpWidth', resolved.mlpWidth);
  checkProbability(where, 'dropout', resolved.dropout);
  if (resolved.activation !== 'gelu' && resolved.activation !== 'relu') {
    fail('INVALID_ARGUMENT', `${where}: activation '${String(resolved.activation)}'; expected 'gelu' or 'relu'`);
  }
  return resolved;
}

/**
 * A pre-norm transformer block with fresh weights.
 *
 * @example
 * const block = createTransformerBlock(new Random(0), { dModel: 64, heads: 4 });
 * const y = transformerBlock(block, x, { causal: true }); // [B, T, 64] -> [B, T, 64]
 */
export function createTransformerBlock(rng: Random, config: TransformerBlockConfig, options: { dtype?: DType } = {}): TransformerBlock {
  const c = resolveBlockConfig(config);
  const dtype = options.dtype ?? 'float32';
  return {
    kind: 'transformerBlock',
    config: c,
    norm1: createLayerNorm(c.dModel, { eps: c.layerNormEps, dtype }),
    self_attn: createMultiHeadAttention(rng, { dModel: c.dModel, heads: c.heads, bias: c.bias }, { dtype }),
    norm2: createLayerNorm(c.dModel, { eps: c.layerNormEps, dtype }),
    linear1: createLinear(rng, c.dModel, c.mlpWidth, { bias: c.bias, dtype }),
    linear2: createLinear(rng, c.mlpWidth, c.dModel, { bias: c.bias, dtype }),
    dropout: createDropout(c.dropout, rng.fork('dropout')),
  };
}

/** Options of `transformerBlock` (and the models): the attention masks plus training mode. */
export interface BlockOptions extends Pick<AttentionOptions, 'mask' | 'keyMask' | 'causal' | 'queryChunk'> {
  /** Training mode: dropout active (default false). */
  training?: boolean;
  /**
   * Compute the outputs of positions `outputsFrom..T-1` only (default 0: all): `[B, T - outputsFrom, dModel]`,
   * equal to those rows of the full output (dropout aside: in training mode it draws for the
   * rows computed). Attention takes its queries from those rows and its keys and values from
   * every position; the residuals, `norm2` and the MLP run on those rows alone. A whole number
   * in `[0, T - 1]`. The decoder passes it to its last block only.
   */
  outputsFrom?: number;
}

/**
 * Runs a pre-norm block: `x [B, T, dModel] -> [B, T, dModel]` (`[B, T - r, dModel]` with
 * `outputsFrom: r`: positions r..T-1 only, attending to every position). Attention is asked for no
 * weights (`returnWeights: false`), the form the fused attention node takes; with GELU, linear1's
 * product, bias and activation run as one node (`linearGelu` of @loopflow/layers).
 *
 * @example
 * transformerBlock(block, x, { causal: true, training: true }) // [B, T, d]
 * transformerBlock(block, x, { causal: true, outputsFrom: T - 1 }) // [B, 1, d]: the last position
 */
export function transformerBlock(block: TransformerBlock, x: Tensor, options: BlockOptions = {}): Tensor {
  const d = block.config.dModel;
  if (x.ndim !== 3 || x.shape[2] !== d) {
    throw new ShapeError(`transformerBlock: x has shape ${fmtShape(x.shape)}; expected [B, T, ${d}] (dModel ${d})`);
  }
  const training = options.training ?? false;
  const from = checkOutputsFrom('transformerBlock', options.outputsFrom, x.shape[1]);
  const { output } = multiHeadAttention(block.self_attn, layerNorm(block.norm1, x), {
    mask: options.mask,
    keyMask: options.keyMask,
    causal: options.causal,
    queryChunk: options.queryChunk,
    returnWeights: false,
    outputsFrom: from,
  }); // [B, Tq, d], Tq = T - from
  const residual = from > 0 ? slice(x, 1, from) : x; // [B, Tq, d]
  const h = add(residual, dropout(block.dropout, output, training)); // [B, Tq, d]
  const normed = layerNorm(block.norm2, h); // [B, Tq, d]
  // GELU: product, bias and activation as one node (`linearGelu`, tested against gelu(linear(...)))
  const activated = block.config.activation === 'relu' ? relu(linear(block.linear1, normed)) : linearGelu(block.linear1, normed); // [B, Tq, mlpWidth]
  return add(h, dropout(block.dropout, linear(block.linear2, activated), training)); // [B, Tq, d]
}
