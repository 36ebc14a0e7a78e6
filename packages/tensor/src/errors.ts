/**
 * Errors raised by loopflow carry a stable `code` (match on it, not on the wording) and a
 * message that says what was wrong, where, what was expected and what to do.
 */
export class LoopflowError extends Error {
  /** A stable machine-readable code, e.g. 'SHAPE_MISMATCH'. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'LoopflowError';
    this.code = code;
  }
}

/** An op received tensors whose shapes do not fit together. */
export class ShapeError extends LoopflowError {
  constructor(message: string) {
    super('SHAPE_MISMATCH', message);
    this.name = 'ShapeError';
  }
}

/** Thrown when autograd is used wrongly (backward from a non-scalar without a gradient, say). */
export class AutogradError extends LoopflowError {
  constructor(message: string) {
    super('AUTOGRAD', message);
    this.name = 'AutogradError';
  }
}

/** Formats a shape for messages: `[2,3,4]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
