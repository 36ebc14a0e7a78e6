import { DType, Random, Tensor } from '@loopflow/tensor';
import { linear } from '@loopflow/layers';
import { TransformerConfig, ResolvedTransformerConfig, resolveTransformerConfig } from './model-config';
import { TransformerTrunk, createTrunk, runTrunk } from './trunk';
import { BlockOptions } from './block';

/** Configuration of a decoder-only (causal) transformer; see `TransformerConfig` for each field. */
export type DecoderConfig = TransformerConfig;

/**
 * A decoder-only transformer for sequence prediction, as plain data: input embedding
 * (`embed`), positions, `blocks` of pre-norm causal self-attention + MLP, final LayerNorm
 * (`norm`) and a Linear `head`. Parameter names: `embed.weight`, `positions.embedding.weight`
 * (learned), `blocks.<i>.self_attn.in_proj_weight`, ..., `blocks.<i>.linear1.weight`, ...,
 * `norm.weight`, `head.weight`, `head.bias`.
 */
export interface DecoderModel extends TransformerTrunk {
  kind: 'decoder';
  config: ResolvedTransformerConfig;
}

/**
 * A decoder-only model with fresh weights.
 *
 * @example
 * const model = createDecoder(new Random(0), {
 *   input: { kind: 'tokens', vocabSize: 65 }, outputSize: 65, dModel: 64, heads: 4, layers: 2,
 * });
 * const logits = decoder(model, ids); // [B, T] -> [B, T, 65]; logits[:, t] sees ids[:, 0..t]
 */
export function createDecoder(rng: Random, config: DecoderConfig, options: { dtype?: DType } = {}): DecoderModel {
  const c = resolveTransformerConfig(config, 'createDecoder');
  return { kind: 'decoder', config: c, ...createTrunk(rng, c, options.dtype ?? 'float32') };
}

/**
 * Options of `decoder`: training mode, query blocking, an optional key padding mask, and
 * `outputsFrom` (compute the outputs of positions `outputsFrom..T-1` only).
 */
export type DecoderOptions = Omit<BlockOptions, 'causal'>;

/**
 * Runs the decoder (always causal: the output at t depends only on inputs 0..t).
 * `[B, T]` token ids (a tensor of whole numbers) or `[B, T, size]` features ->
 * `[B, T, outputSize]` (next-token logits, or a prediction per step).
 *
 * `outputsFrom: r` gives the outputs of positions r..T-1 only, `[B, T - r, outputSize]`, equal
 * to those rows of the full output (in eval mode; in training mode dropout draws for the rows
 * computed): every block but the last runs over all positions, the last block computes only
 * the queries, residuals and MLP of positions r..T-1 (its keys and values still cover every
 * position), then the final norm and the head run on those rows. For a loss that reads only
 * the last positions (a sequence classified by its last output: `outputsFrom: T - 1`).
 *
 * Memory: each block's attention holds about B * heads * T^2 / 2 numbers per saved tensor
 * when T > 256 (causal blocks of 128 queries); see `scaledDotProductAttention`.
 *
 * @example
 * decoder(model, ids, { training: true }) // [4, 128] -> [4, 128, vocab]
 * decoder(model, ids, { outputsFrom: 127 }) // [4, 128] -> [4, 1, vocab]: the last position
 */
export function decoder(model: DecoderModel, input: Tensor, options: DecoderOptions = {}): Tensor {
  const h = runTrunk('decoder', model, input, { ...options, causal: true }); // [B, T - outputsFrom, d]
  return linear(model.head, h); // [B, T - outputsFrom, outputSize]
}
