import { LoopflowError } from '@loopflow/tensor';

/**
 * Stable codes of the errors the training loop raises (match on `error.code`):
 * - `NONFINITE_LOSS`: a loss turned NaN or infinite; the message names the epoch, the step and
 *   the last good checkpoint (or "none written"). The weights were not updated with it.
 * - `NONFINITE_GRADIENT`: the loss was finite but a gradient was not (same details).
 * - `DIVERGED`: the loss grew past `divergence.factor` times the first step's, or a weight
 *   turned NaN / infinite after a step (same details; `value` is the loss).
 * - `INTERRUPTED`: the run was asked to stop (`signal`); details name the checkpoint written.
 * - `CHECKPOINT_INVALID`: a checkpoint given to resume is torn, incomplete, or not a checkpoint.
 * - `CHECKPOINT_FOREIGN`: a checkpoint of another model (parameter names or shapes differ).
 * - `CHECKPOINT_MISMATCH`: the checkpoint's run differs from this one (seed, optimizer, schedule, batches).
 * - `CHECKPOINT_WRITE`: writing a checkpoint failed (the previous one is intact).
 * - `CHECKPOINT_IO`: checkpoints were asked for where there is no file system (outside Node).
 * - `INVALID_ARGUMENT`: an option is missing or out of range, or the forward returned no scalar loss.
 * - `ALREADY_TRAINING`: a second run was started on a model that is being trained.
 */
export type TrainErrorCode =
  | 'NONFINITE_LOSS'
  | 'NONFINITE_GRADIENT'
  | 'DIVERGED'
  | 'INTERRUPTED'
  | 'CHECKPOINT_INVALID'
  | 'CHECKPOINT_FOREIGN'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_WRITE'
  | 'CHECKPOINT_IO'
  | 'INVALID_ARGUMENT'
  | 'ALREADY_TRAINING';

/** Where a non-finite loss or gradient happened. */
export interface NonFiniteDetails {
  epoch: number;
  step: number;
  batch: number;
  value: number;
  /** The last checkpoint committed (or resumed from), or null when none was written. */
  lastCheckpoint: string | null;
}

/**
 * An error of the training loop: a `LoopflowError` with a {@link TrainErrorCode}, and for the
 * non-finite codes the details as data.
 *
 * @example
 * train(options).subscribe({ error: (e) => { if (e.code === 'NONFINITE_LOSS') console.log(e.details.lastCheckpoint); } });
 */
export class TrainError extends LoopflowError {
  declare readonly code: TrainErrorCode;
  /** Set for NONFINITE_LOSS, NONFINITE_GRADIENT, DIVERGED and INTERRUPTED (value: the last loss). */
  readonly details?: NonFiniteDetails;
  constructor(code: TrainErrorCode, message: string, options: { details?: NonFiniteDetails; cause?: unknown } = {}) {
    super(code, message);
    this.name = 'TrainError';
    if (options.details) this.details = options.details;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
