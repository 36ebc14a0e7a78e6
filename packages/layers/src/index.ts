/**
 * @loopflow/layers — modules as plain data + pure functions: Linear, Embedding, LayerNorm,
 * Dropout, activations and Sequential; parameter discovery by walking any object
 * (PyTorch-style dotted names); state dicts; safetensors read/write.
 * Depends only on @loopflow/tensor.
 */
export { createLinear, linear } from './linear';
export type { LinearModule } from './linear';
export { linearGelu } from './linear-gelu';
export { createEmbedding, embedding } from './embedding';
export type { EmbeddingModule } from './embedding';
export { createLayerNorm, layerNorm } from './layer-norm';
export type { LayerNormModule } from './layer-norm';
export { createDropout, dropout, dropoutMask } from './dropout';
export type { DropoutModule } from './dropout';
export { createActivation, activation } from './activation';
export type { ActivationModule, ActivationName } from './activation';
export { createSequential, forward } from './sequential';
export type { SequentialModule, Module, ForwardOptions } from './sequential';
export { namedParameters, parameters, zeroGrad, walkTensors } from './parameters';
export type { NamedTensorVisit } from './parameters';
export { stateDict, loadStateDict } from './state-dict';
export type { StateDictOptions, LoadStateDictOptions, LoadStateDictResult } from './state-dict';
export { encodeSafetensors, decodeSafetensors, saveSafetensors, loadSafetensors } from './safetensors';
export type { DecodeSafetensorsOptions, SafetensorsContents } from './safetensors';
export { parseSafetensorsHeader, MAX_HEADER_BYTES, MAX_HEADER_DEPTH } from './safetensors-header';
export type { SafetensorsEntry, SafetensorsHeader } from './safetensors-header';
export { SAFETENSORS_DTYPE_SIZES } from './safetensors-dtypes';
export { float16ToNumber, bfloat16ToNumber } from './float16';
export type { LayersErrorCode } from './errors';
export { SafetensorsError } from './errors';
