import { modelProtoType } from './proto/schema';
import { OnnxError } from './errors';

/** A graph input or output: its name, element type and dimensions (a number, or the name of a dynamic one). */
export interface OnnxValueSignature {
  /** The name a feed or a result goes by (`x`, `sequence_lens`, `output`, ...). */
  name: string;
  /** The element type: `float32`, `int32`, `int64`, `bool` or `float64`. */
  type: string;
  /** Each dimension: a size, or the name of a dynamic one (`'T'`, `'B'`). */
  shape: (number | string)[];
}

/** The inputs and outputs of an ONNX model, read back from its bytes. */
export interface OnnxSignature {
  /** The version of the default (ai.onnx) operator set the model imports. */
  opset: number;
  /** The graph inputs, in order. */
  inputs: OnnxValueSignature[];
  /** The graph outputs, in order. */
  outputs: OnnxValueSignature[];
}

const TYPE_NAMES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

/**
 * Reads the graph inputs and outputs of ONNX model bytes (as `exportOnnx` wrote them).
 *
 * @example onnxSignature(exportOnnx(lstm)).inputs // [{ name: 'x', type: 'float32', shape: ['T', 'B', 3] }]
 */
export function onnxSignature(bytes: Uint8Array): OnnxSignature {
  let model: Record<string, any>;
  try {
    const type = modelProtoType();
    model = type.toObject(type.decode(bytes), { longs: Number, defaults: false }) as Record<string, any>;
  } catch (e) {
    throw new OnnxError('ONNX_INVALID_MODEL', `onnxSignature: the bytes are not an ONNX model (${(e as Error).message})`);
  }
  const values = (list: any[] | undefined): OnnxValueSignature[] => (list ?? []).map((v) => ({
    name: v.name,
    type: TYPE_NAMES[v.type?.tensor_type?.elem_type] ?? `type ${v.type?.tensor_type?.elem_type}`,
    shape: (v.type?.tensor_type?.shape?.dim ?? []).map((d: { dim_value?: number; dim_param?: string }) => d.dim_param ?? d.dim_value ?? '?'),
  }));
  const opset = (model.opset_import ?? []).find((o: { domain?: string }) => !o.domain)?.version ?? 0;
  return { opset, inputs: values(model.graph?.input), outputs: values(model.graph?.output) };
}

/** `x [T, B, 3] float32` */
export function formatValueSignature(v: OnnxValueSignature): string {
  return `${v.name} [${v.shape.join(', ')}] ${v.type}`;
}
