/**
 * Errors of the conformance tool. Both carry a stable `code` (match on it, not on the wording).
 */
import { LoopflowError } from '@loopflow/tensor';

/**
 * The command line or the folder is wrong (no folder given, the folder does not exist, an
 * unknown option). The CLI prints the message and exits with code 2.
 */
export class ConformanceUsageError extends LoopflowError {
  constructor(
    message: string,
    /** What to do (printed as the hint line). */
    readonly hint?: string,
  ) {
    super('CONFORMANCE_USAGE', message);
    this.name = 'ConformanceUsageError';
  }
}

/**
 * A golden file does not follow the format of goldens/pytorch/README.md (not JSON, a field
 * missing, a tensor whose data does not fill its shape, a tensor a handler needs is absent).
 * The runner reports it as FAIL for that file and goes on with the others.
 */
export class GoldenFormatError extends LoopflowError {
  constructor(message: string) {
    super('GOLDEN_INVALID', message);
    this.name = 'GoldenFormatError';
  }
}
