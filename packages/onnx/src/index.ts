// @loopflow/onnx: ONNX export of loopflow models, checked in ONNX Runtime.
export { exportOnnx } from './export';
export type { ExportOnnxOptions } from './options';
export { OnnxError } from './errors';
export type { OnnxErrorCode } from './errors';
export { onnxSignature, formatValueSignature } from './signature';
export type { OnnxSignature, OnnxValueSignature } from './signature';
export type { PipelineModelLike, PipelineModelDescription } from './description';
