import { LoopflowError } from '@loopflow/tensor';

/**
 * Error codes raised by @loopflow/benchmark (each thrown as a {@link BenchmarkError}):
 * - `INVALID_ARGUMENT`: an option, size or command-line flag out of range.
 * - `UNKNOWN_TASK` / `UNKNOWN_MODEL`: a name that is not one of the suite's tasks / models.
 * - `BUDGET_TOO_SMALL`: no model of the requested kind fits the parameter budget.
 * - `FIT_INVALID`: a power-law fit got fewer than two usable points.
 */
export type BenchmarkErrorCode = 'INVALID_ARGUMENT' | 'UNKNOWN_TASK' | 'UNKNOWN_MODEL' | 'BUDGET_TOO_SMALL' | 'FIT_INVALID';

/**
 * An error of the benchmark package: a stable `code` and a message that says what was wrong,
 * where, what was expected and what to do.
 *
 * @example
 * try { parseCompareArgs(['--seeds', '0']); } catch (e) { if (e instanceof BenchmarkError) e.code; } // 'INVALID_ARGUMENT'
 */
export class BenchmarkError extends LoopflowError {
  override readonly code: BenchmarkErrorCode;
  constructor(code: BenchmarkErrorCode, message: string) {
    super(code, message);
    this.name = 'BenchmarkError';
    this.code = code;
  }
}

/** Throws a {@link BenchmarkError}. */
export function fail(code: BenchmarkErrorCode, message: string): never {
  throw new BenchmarkError(code, message);
}
