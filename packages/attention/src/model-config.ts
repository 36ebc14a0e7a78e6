import { checkPositiveInt, fail } from './errors';
import { TransformerBlockConfig, resolveBlockConfig, ResolvedBlockConfig } from './block';

/**
 * What a model reads: token ids (`[B, T]`, embedded by a learned table) or real-valued
 * features (`[B, T, size]`, projected to dModel by a Linear layer).
 */
export type ModelInput = { kind: 'tokens'; vocabSize: number } | { kind: 'features'; size: number };

/** How positions enter: fixed sinusoids, a learned table, or not at all. */
export type PositionKind = 'sinusoidal' | 'learned' | 'none';

/** The shared configuration of the decoder-only model and the encoder. */
export interface TransformerConfig extends TransformerBlockConfig {
  /** Token ids or features. */
  input: ModelInput;
  /** Width of the head's output: vocabSize for next-token logits, 1 for a scalar target, C for C classes. */
  outputSize: number;
  /** Number of transformer blocks. */
  layers: number;
  /** Positional encoding (default 'sinusoidal'). */
  positional?: PositionKind;
  /** Longest sequence of a learned position table (default 1024; unused otherwise). */
  maxLength?: number;
}

/** A TransformerConfig with every default filled in. */
export type ResolvedTransformerConfig = ResolvedBlockConfig & {
  input: ModelInput;
  outputSize: number;
  layers: number;
  positional: PositionKind;
  maxLength: number;
};

/** Fills in a model config's defaults and checks it. */
export function resolveTransformerConfig(config: TransformerConfig, where: string): ResolvedTransformerConfig {
  const block = resolveBlockConfig(config, where);
  const input = config.input;
  if (!input || (input.kind !== 'tokens' && input.kind !== 'features')) {
    fail('INVALID_ARGUMENT', `${where}: input ${JSON.stringify(input)}; expected { kind: 'tokens', vocabSize } or { kind: 'features', size }`);
  }
  if (input.kind === 'tokens') checkPositiveInt(where, 'input.vocabSize', input.vocabSize);
  else checkPositiveInt(where, 'input.size', input.size);
  checkPositiveInt(where, 'outputSize', config.outputSize);
  checkPositiveInt(where, 'layers', config.layers);
  const positional = config.positional ?? 'sinusoidal';
  if (!['sinusoidal', 'learned', 'none'].includes(positional)) {
    fail('INVALID_ARGUMENT', `${where}: positional '${String(positional)}'; expected 'sinusoidal', 'learned' or 'none'`);
  }
  const maxLength = config.maxLength ?? 1024;
  checkPositiveInt(where, 'maxLength', maxLength);
  if (block.dModel % block.heads !== 0) {
    fail('INVALID_ARGUMENT', `${where}: dModel ${block.dModel} is not divisible by heads ${block.heads}; choose dModel a multiple of heads`);
  }
  return { ...block, input: { ...input }, outputSize: config.outputSize, layers: config.layers, positional, maxLength };
}
