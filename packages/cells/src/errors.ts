import { LoopflowError } from '@loopflow/tensor';

/**
 * Stable codes of the errors `@loopflow/cells` throws. Match on `error.code`, not on the
 * wording of the message.
 */
export type CellErrorCode =
  /** A config field is missing, of the wrong type or out of range. */
  | 'INVALID_CONFIG'
  /** The module lacks a parameter its config requires (e.g. `weight_hh_l1_reverse`). */
  | 'MISSING_PARAMETER'
  /** A parameter has the wrong shape or dtype for the config. */
  | 'PARAMETER_SHAPE'
  /** The input `x` has the wrong rank, feature size or dtype. */
  | 'INPUT_SHAPE'
  /** An initial state (h0 / c0, or a cell state) has the wrong shape or dtype. */
  | 'STATE_SHAPE'
  /** `lengths` or `mask` is malformed (wrong size, out of range, padding not trailing). */
  | 'INVALID_LENGTHS'
  /** A call's options are invalid (dropout in training without an rng, say). */
  | 'INVALID_ARGUMENT'
  /** The operation does not support this module (streaming a bidirectional layer, say). */
  | 'UNSUPPORTED';

/**
 * An error from `@loopflow/cells`: a `LoopflowError` whose `code` is one of
 * {@link CellErrorCode}.
 *
 * @example
 * try { runRecurrent(lstm, x, { initialState }); }
 * catch (e) { if (e instanceof CellError && e.code === 'STATE_SHAPE') ... }
 */
export class CellError extends LoopflowError {
  declare readonly code: CellErrorCode;
  constructor(code: CellErrorCode, message: string) {
    super(code, message);
    this.name = 'CellError';
  }
}
