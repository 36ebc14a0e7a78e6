import { LoopflowError } from '@loopflow/tensor';

/** The benches' error: a message (what, where, what was expected, what to do) and a `code`. */
export type BenchErrorCode =
  /** A command-line option is unknown or its value is not allowed. */
  | 'BENCH_OPTION'
  /** A case asks for a combination the bench does not measure (e.g. tfjs on attention). */
  | 'BENCH_CASE'
  /** PyTorch's side (`--pytorch`) failed or printed no figure. */
  | 'BENCH_PYTORCH';

export class BenchError extends LoopflowError {
  declare readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string) {
    super(code, message);
    this.name = 'BenchError';
  }
}
