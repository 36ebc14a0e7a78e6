import { LoopflowError } from '@loopflow/tensor';

/**
 * How per-element (or per-position) losses become the result, as in PyTorch:
 * - `'mean'`: the average, a scalar `[]` (the default);
 * - `'sum'`: the total, a scalar `[]`;
 * - `'none'`: no reduction, one loss per element (per position for cross-entropy).
 */
export type Reduction = 'mean' | 'sum' | 'none';

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

/** Validates a reduction option (default `'mean'`). */
export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction === undefined) return 'mean';
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new LoopflowError(
      'INVALID_ARGUMENT',
      `${op}: reduction ${JSON.stringify(reduction)} is not supported; expected one of 'mean', 'sum', 'none'`,
    );
  }
  return reduction as Reduction;
}
