import { LoopflowError } from '@loopflow/tensor';

/**
 * Error codes raised by @loopflow/attention (each thrown as a `LoopflowError` with this
 * `code`; shape problems are `ShapeError`s, code `SHAPE_MISMATCH`):
 * - `INVALID_ARGUMENT`: a size, option or probability out of range when creating a module.
 * - `SEQUENCE_TOO_LONG`: a sequence longer than a learned positional table (`maxLength`).
 * - `BUDGET_TOO_SMALL`: no model of the requested shape fits the parameter budget.
 * - `FUSED_ATTENTION_UNAVAILABLE`: the fused path is forced (`setAttentionPath('fused')`) but a
 *   call cannot take it (float64, weights requested, kernels not built).
 * - `FUSED_ATTENTION_MEMORY`: the fused kernels' WebAssembly memory cannot grow that far.
 */
export type AttentionErrorCode = 'INVALID_ARGUMENT' | 'SEQUENCE_TOO_LONG' | 'BUDGET_TOO_SMALL' | 'FUSED_ATTENTION_UNAVAILABLE' | 'FUSED_ATTENTION_MEMORY';

/** Throws a `LoopflowError` with an attention error code. */
export function fail(code: AttentionErrorCode, message: string): never {
  throw new LoopflowError(code, message);
}

/** Checks that `value` is a positive integer. */
export function checkPositiveInt(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail('INVALID_ARGUMENT', `${where}: ${name} = ${String(value)}; expected a positive integer`);
  }
}

/** Checks that `value` is a probability in [0, 1). */
export function checkProbability(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    fail('INVALID_ARGUMENT', `${where}: ${name} = ${String(value)}; expected a probability in [0, 1)`);
  }
}

/**
 * Checks `outputsFrom` (the first position whose output is computed) for a sequence of
 * `length` positions: a whole number in [0, length - 1]; returns it (0 when not given).
 */
export function checkOutputsFrom(where: string, value: unknown, length: number): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= length) {
    fail(
      'INVALID_ARGUMENT',
      `${where}: outputsFrom = ${String(value)} for a sequence of ${length} positions; expected a whole number in [0, ${length - 1}] ` +
        '(the first position whose output is computed: 0 for all of them, length - 1 for the last one)',
    );
  }
  return value;
}
