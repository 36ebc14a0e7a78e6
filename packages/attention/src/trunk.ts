import { DType, LoopflowError, Random, ShapeError, Tensor, fmtShape, slice } from '@loopflow/tensor';
import { DropoutModule, EmbeddingModule, LayerNormModule, LinearModule, createDropout, createEmbedding, createLayerNorm, createLinear, dropout, embedding, layerNorm, linear } from '@loopflow/layers';
import { BlockOptions, TransformerBlock, createTransformerBlock, transformerBlock } from './block';
import { PositionalEncoding, addPositions, createLearnedPositions, createSinusoidalPositions } from './positional';
import { ResolvedTransformerConfig } from './model-config';
import { checkOutputsFrom } from './errors';

/** The parts the decoder and the encoder share (their fields, by these names). */
export interface TransformerTrunk {
  /** Token table `[vocabSize, dModel]` or input projection `[dModel, size]`. */
  embed: EmbeddingModule | LinearModule;
  /** Null when `positional` is 'none'. */
  positions: PositionalEncoding | null;
  /** Dropout on the embedded input. */
  dropout: DropoutModule;
  blocks: TransformerBlock[];
  /** The final LayerNorm before the head. */
  norm: LayerNormModule;
  /** `[outputSize, dModel]` */
  head: LinearModule;
}

/** Builds the shared parts in a fixed order (embed, positions, blocks, norm, head). */
export function createTrunk(rng: Random, c: ResolvedTransformerConfig, dtype: DType): TransformerTrunk {
  const embed = c.input.kind === 'tokens'
    ? createEmbedding(rng, c.input.vocabSize, c.dModel, { dtype })
    : createLinear(rng, c.input.size, c.dModel, { bias: c.bias, dtype });
  const positions = c.positional === 'sinusoidal'
    ? createSinusoidalPositions(c.dModel)
    : c.positional === 'learned' ? createLearnedPositions(rng, c.maxLength, c.dModel, { dtype }) : null;
  const blocks: TransformerBlock[] = [];
  for (let i = 0; i < c.layers; i++) blocks.push(createTransformerBlock(rng, c, { dtype }));
  return {
    embed,
    positions,
    dropout: createDropout(c.dropout, rng.fork('embed-dropout')),
    blocks,
    norm: createLayerNorm(c.dModel, { eps: c.layerNormEps, dtype }),
    head: createLinear(rng, c.dModel, c.outputSize, { bias: c.bias, dtype }),
  };
}

/** Checks the input's shape: `[B, T]` token ids or `[B, T, size]` features. */
export function checkInput(where: string, c: ResolvedTransformerConfig, input: Tensor): void {
  if (c.input.kind === 'tokens') {
    if (input.ndim !== 2) throw new ShapeError(`${where}: token input of shape ${fmtShape(input.shape)}; expected [B, T] token ids`);
  } else if (input.ndim !== 3 || input.shape[2] !== c.input.size) {
    throw new ShapeError(`${where}: feature input of shape ${fmtShape(input.shape)}; expected [B, T, ${c.input.size}]`);
  }
  if (input.shape[1] < 1) throw new ShapeError(`${where}: input of shape ${fmtShape(input.shape)} has no time steps`);
}

/**
 * Embeds the input, adds positions, runs every block and the final LayerNorm:
 * `[B, T]` ids or `[B, T, F]` features -> `[B, T, dModel]`. With `outputsFrom: r`, every block
 * but the last runs in full (the last one's keys and values need every position) and the last
 * one computes positions r..T-1 only: `[B, T - r, dModel]`.
 */
export function runTrunk(where: string, model: TransformerTrunk & { config: ResolvedTransformerConfig }, input: Tensor, options: BlockOptions): Tensor {
  const c = model.config;
  checkInput(where, c, input);
  let x = c.input.kind === 'tokens'
    ? embedding(model.embed as EmbeddingModule, input) // [B, T, d]
    : linear(model.embed as LinearModule, input); // [B, T, d]
  const paramDtype = model.norm.weight?.dtype ?? x.dtype;
  if (x.dtype !== paramDtype) {
    throw new LoopflowError('DTYPE_MISMATCH', `${where}: the input is ${x.dtype} but the model is ${paramDtype}; convert the input with .to('${paramDtype}')`);
  }
  if (model.positions) x = addPositions(model.positions, x);
  x = dropout(model.dropout, x, options.training ?? false);
  const from = checkOutputsFrom(where, options.outputsFrom, x.shape[1]);
  const blocks = model.blocks;
  const full = { ...options, outputsFrom: undefined };
  blocks.forEach((block, i) => {
    x = transformerBlock(block, x, i === blocks.length - 1 ? { ...options, outputsFrom: from } : full); // [B, T, d]; the last: [B, T - from, d]
  });
  if (blocks.length === 0 && from > 0) x = slice(x, 1, from);
  return layerNorm(model.norm, x); // [B, T - from, d]
}
