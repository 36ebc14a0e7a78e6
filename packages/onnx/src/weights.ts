import { Tensor, fmtShape } from '@loopflow/tensor';
import { OnnxError } from './errors';

/**
 * The numbers of a parameter as float32 (the exported graph computes in float32), checked:
 * a tensor of the expected shape holding only finite numbers. `where` names it in errors
 * (`lstm.weight_ih_l0`).
 */
export function weightData(where: string, value: unknown, shape: readonly number[]): Float32Array {
  if (!(value instanceof Tensor)) {
    throw new OnnxError('ONNX_INVALID_MODEL', `onnx export: parameter ${where} is ${value === undefined ? 'missing' : `not a Tensor (${typeof value})`}; expected a tensor of shape ${fmtShape(shape)}. Build the model with its package's constructor, or load a complete state dict`);
  }
  if (value.shape.length !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
    throw new OnnxError('ONNX_INVALID_MODEL', `onnx export: parameter ${where} has shape ${fmtShape(value.shape)}, expected ${fmtShape(shape)}; load weights made for this model's config`);
  }
  const data = value.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new OnnxError('ONNX_NOT_FINITE', `onnx export: parameter ${where} holds ${data[i]} at index ${i}; the training diverged. Export a checkpoint from before the divergence, or train again with a lower learning rate or gradient clipping`);
    }
  }
  return Float32Array.from(data);
}
