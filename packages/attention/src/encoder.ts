import { DType, Random, ShapeError, Tensor, allocate, fmtShape, mul, sum } from '@loopflow/tensor';
import { linear } from '@loopflow/layers';
import { TransformerConfig, ResolvedTransformerConfig, resolveTransformerConfig } from './model-config';
import { TransformerTrunk, createTrunk, runTrunk } from './trunk';
import { BlockOptions } from './block';
import { paddingMask } from './masks';
import { fail } from './errors';

/** How the encoder turns `[B, T, d]` into one vector per sequence. */
export type Pooling = 'mean' | 'first' | 'last';

/** Configuration of an encoder; `TransformerConfig` plus the pooling (default 'mean'). */
export interface EncoderConfig extends TransformerConfig {
  /** 'mean' over the real positions (default), the 'first' position, or the 'last' real one. */
  pooling?: Pooling;
}

/**
 * A bidirectional (non-causal) transformer encoder for sequence classification or
 * regression: the decoder's parts, attention without the causal mask, a pooling step, then
 * the head. Parameter names as `DecoderModel`.
 */
export interface EncoderModel extends TransformerTrunk {
  kind: 'encoder';
  config: ResolvedTransformerConfig & { pooling: Pooling };
}

/**
 * An encoder with fresh weights.
 *
 * @example
 * const model = createEncoder(new Random(0), {
 *   input: { kind: 'features', size: 2 }, outputSize: 1, dModel: 32, heads: 4, layers: 2, pooling: 'mean',
 * });
 * encoder(model, x, { lengths }); // [B, T, 2] -> [B, 1]
 */
export function createEncoder(rng: Random, config: EncoderConfig, options: { dtype?: DType } = {}): EncoderModel {
  const c = resolveTransformerConfig(config, 'createEncoder');
  const pooling = config.pooling ?? 'mean';
  if (!['mean', 'first', 'last'].includes(pooling)) fail('INVALID_ARGUMENT', `createEncoder: pooling '${String(pooling)}'; expected 'mean', 'first' or 'last'`);
  return { kind: 'encoder', config: { ...c, pooling }, ...createTrunk(rng, c, options.dtype ?? 'float32') };
}

/** Options of `encoder`. */
export interface EncoderOptions extends Omit<BlockOptions, 'causal' | 'outputsFrom'> {
  /**
   * Real lengths of right-padded sequences (`lengths[b] <= T`): builds the key padding mask
   * and pools over the real positions only. Or pass `keyMask [B, T]` directly.
   */
  lengths?: readonly number[];
}

/** The pooling weights `[B, T, 1]` (each row sums to 1 over the positions it pools). */
function poolingWeights(pooling: Pooling, B: number, T: number, keyMask: Tensor | null, dtype: DType): Tensor {
  const w = allocate(dtype, B * T);
  for (let b = 0; b < B; b++) {
    const real: number[] = [];
    for (let t = 0; t < T; t++) if (!keyMask || keyMask.data[b * T + t] !== 0) real.push(t);
    if (real.length === 0) continue; // an empty sequence pools to zeros
    if (pooling === 'mean') for (const t of real) w[b * T + t] = 1 / real.length;
    else w[b * T + (pooling === 'first' ? real[0] : real[real.length - 1])] = 1;
  }
  return new Tensor(w, [B, T, 1]);
}

/**
 * Runs the encoder: `[B, T]` token ids or `[B, T, size]` features -> `[B, outputSize]`.
 * With `lengths` (or `keyMask`), no position attends to padding and pooling ignores it, so
 * the output does not depend on what the padded positions hold.
 *
 * @example encoder(model, ids, { lengths: [12, 7, 9] }) // [3, 12] -> [3, classes]
 */
export function encoder(model: EncoderModel, input: Tensor, options: EncoderOptions = {}): Tensor {
  const [B, T] = input.shape;
  let keyMask = options.keyMask ?? null;
  if (options.lengths) {
    if (keyMask) fail('INVALID_ARGUMENT', 'encoder: both lengths and keyMask given; pass one of them');
    if (options.lengths.length !== B) {
      throw new ShapeError(`encoder: ${options.lengths.length} lengths for a batch of ${B} (input ${fmtShape(input.shape)}); pass one length per sequence`);
    }
    keyMask = paddingMask(options.lengths, T);
  }
  const h = runTrunk('encoder', model, input, { ...options, keyMask: keyMask ?? undefined, causal: false, outputsFrom: undefined }); // [B, T, d]
  const weights = poolingWeights(model.config.pooling, B, T, keyMask, h.dtype); // [B, T, 1]
  const pooled = sum(mul(h, weights), 1); // [B, d]
  return linear(model.head, pooled); // [B, outputSize]
}
