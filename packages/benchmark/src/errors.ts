import { LoopflowError } from '@loopflow/tensor';

/**
 * Error codes raised by @loopflow/benchmark (each thrown as a {@link BenchmarkError}):
 * - `INVALID_ARGUMENT`: an option, size or command-line flag out of range.
 * - `UNKNOWN_TASK` / `UNKNOWN_MODEL`: a name that is not one of the suite's tasks / models.
 * - `BUDGET_TOO_SMALL`: no model of the requested kind fits the parameter budget.
 * - `FIT_INVALID`: a power-law fit got fewer than two usable points.
 * - `CANNOT_RESUME`: `--resume` got a folder without a readable run.json of a comparison run.
 * - `RESUME_MISMATCH`: `--resume` got a folder whose run was planned differently (another
 *   suite definition or version): its results cannot be mixed with this one's.
 * - `INTERRUPTED`: the run was stopped (Ctrl-C); a {@link CompareInterrupted}.
 */
export type BenchmarkErrorCode = 'INVALID_ARGUMENT' | 'UNKNOWN_TASK' | 'UNKNOWN_MODEL' | 'BUDGET_TOO_SMALL' | 'FIT_INVALID' | 'CANNOT_RESUME' | 'RESUME_MISMATCH' | 'INTERRUPTED';

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

/**
 * `runCompare` stopped by its `signal` (Ctrl-C): the running jobs were stopped; the `finished`
 * jobs' results are kept in `jsonl` (the run folder's results.jsonl), and `--resume outDir`
 * runs the rest.
 */
export class CompareInterrupted extends BenchmarkError {
  constructor(
    /** Jobs whose results are kept (this run's and those a resumed run had kept). */
    readonly finished: number,
    /** Jobs of the whole run. */
    readonly total: number,
    /** The run folder. */
    readonly outDir: string,
    /** Its results.jsonl. */
    readonly jsonl: string,
  ) {
    super('INTERRUPTED', `interrupted: ${finished} of ${total} jobs finished, kept in ${jsonl}; resume with --resume ${outDir}`);
    this.name = 'CompareInterrupted';
  }
}
