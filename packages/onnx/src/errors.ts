import { LoopflowError } from '@loopflow/tensor';

/**
 * Stable codes of the errors `@loopflow/onnx` throws. Match on `error.code`, not on the
 * wording of the message.
 */
export type OnnxErrorCode =
  /** The model is not one this package exports (an object of another kind, an unknown pipeline model family). */
  | 'ONNX_UNSUPPORTED'
  /** The model is malformed: a parameter missing or of the wrong shape, a config out of range. */
  | 'ONNX_INVALID_MODEL'
  /** A parameter holds NaN or an infinity (the training diverged): nothing sensible to export. */
  | 'ONNX_NOT_FINITE'
  /** The options of `exportOnnx` are invalid (an unknown key, a wrong type, an option the model cannot take). */
  | 'ONNX_INVALID_OPTIONS';

/**
 * An error from `@loopflow/onnx`: a `LoopflowError` whose `code` is one of {@link OnnxErrorCode}.
 *
 * @example
 * try { exportOnnx(model); } catch (e) { if (e.code === 'ONNX_UNSUPPORTED') ... }
 */
export class OnnxError extends LoopflowError {
  declare readonly code: OnnxErrorCode;
  constructor(code: OnnxErrorCode, message: string) {
    super(code, message);
    this.name = 'OnnxError';
  }
}
