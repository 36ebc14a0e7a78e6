/**
 * @loopflow/attention — the attention side of the RNN/LSTM/attention comparison: scaled
 * dot-product and multi-head attention with causal and padding masks, positional encodings,
 * pre-norm transformer blocks, a decoder-only model and an encoder, all composed from
 * @loopflow/tensor primitives (autograd differentiates everything) and @loopflow/layers
 * modules. Models are plain data + pure functions; inputs are batch-major. Float32 attention
 * without weights runs on fused WebAssembly kernels (one node, memory linear in T) when they load.
 */
export type { AttentionErrorCode } from './errors';
export { causalMask, paddingMask } from './masks';
export { scaledDotProductAttention, defaultQueryChunk } from './scaled-dot-product';
export type { AttentionOptions, AttentionResult } from './scaled-dot-product';
export { setAttentionPath, getAttentionPath, fusedAttentionAvailable, ATTENTION_PATH_ENV } from './fused/path';
export type { AttentionPath } from './fused/path';
export { createMultiHeadAttention, multiHeadAttention, multiHeadAttentionFromTensors, attentionProjections } from './multi-head';
export type { MultiHeadAttentionConfig, MultiHeadAttentionModule, MultiHeadAttentionOptions, MultiHeadAttentionTensors, AttentionProjection } from './multi-head';
export { upgradeAttentionStateDict } from './legacy-names';
export type { UpgradedStateDict } from './legacy-names';
export { sinusoidalEncoding, createSinusoidalPositions, createLearnedPositions, positionTable, addPositions } from './positional';
export type { SinusoidalPositions, LearnedPositions, PositionalEncoding } from './positional';
export { gelu } from './gelu';
export { createTransformerBlock, transformerBlock, resolveBlockConfig } from './block';
export type { TransformerBlock, TransformerBlockConfig, ResolvedBlockConfig, BlockOptions, MlpActivation } from './block';
export { resolveTransformerConfig } from './model-config';
export type { ModelInput, PositionKind, TransformerConfig, ResolvedTransformerConfig } from './model-config';
export type { TransformerTrunk } from './trunk';
export { createDecoder, decoder } from './decoder';
export type { DecoderConfig, DecoderModel, DecoderOptions } from './decoder';
export { createEncoder, encoder } from './encoder';
export type { EncoderConfig, EncoderModel, EncoderOptions, Pooling } from './encoder';
export { countParameters, transformerParameterCount, configForBudget } from './budget';
export type { BudgetFit } from './budget';
