/**
 * The contract between the conformance runner and the case handlers.
 *
 * A golden file (format: goldens/pytorch/README.md) is one case:
 *   { "case": "lstm_L1", "config": {...}, "tensors": { "<name>": { "shape": [...], "data": [...] } } }
 *
 * Handlers live in `cases/*.ts`; the runner loads every module there and uses its exported
 * `handlers`. A handler claims case names (by exact name or pattern), takes every size from
 * the file (never hard-coded), runs loopflow, and returns each compared tensor. The runner
 * compares and prints. Each package's issue adds its own handler file; no shared list to edit.
 *
 * A handler module looks like this (see cases/layernorm.ts for a complete one):
 *
 *   import { CaseHandler } from '../types';
 *   export const handlers: CaseHandler[] = [{
 *     description: 'MSE loss and its gradient',
 *     matches: (name) => name === 'loss_mse',
 *     run(golden, { dtype }) {
 *       ... build loopflow tensors of `dtype` from golden.tensors, run, take gradients ...
 *       return { status: 'ran', comparisons: [{ name: 'loss', actual: loss.data, expected: golden.tensors.loss.data }] };
 *     },
 *   }];
 *
 * Files named `*.spec.ts`, `*.test.ts` or `*.d.ts` in cases/ are not loaded.
 */
import type { DType } from '@loopflow/tensor';

/** One tensor of a golden file: the shape and the elements, flat and row-major. */
export interface GoldenTensor {
  shape: number[];
  data: number[];
}

/** One golden file, validated by load.ts (every tensor's data fills its shape). */
export interface Golden {
  case: string;
  config: Record<string, unknown>;
  tensors: Record<string, GoldenTensor>;
}

/** An element passes when `|actual - expected| <= atol + rtol * |expected|` (numpy's allclose). */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/** One compared quantity: loopflow's value against the golden one. */
export interface Comparison {
  /** The golden tensor's name, e.g. 'out' or 'grad_weight_ih_l0'. */
  name: string;
  /** loopflow's values, flat row-major, same length as expected. */
  actual: ArrayLike<number>;
  /** The golden values (usually golden.tensors[name].data). */
  expected: ArrayLike<number>;
  /** Optional: the shape, used only to print the multi-index of the worst element. */
  shape?: readonly number[];
  /** Optional: a tolerance for this tensor alone, overriding the outcome's and the default. */
  tolerance?: Tolerance;
}

/**
 * What a handler returns. `tolerance` replaces the runner's default for the dtype
 * (compare.ts `defaultTolerance`; float32: atol 1e-5, rtol 1e-4) for every comparison
 * of the case; a 'ran' outcome with no comparisons is reported as FAIL.
 */
export type CaseOutcome =
  | { status: 'ran'; comparisons: Comparison[]; tolerance?: Tolerance }
  | { status: 'skip'; reason: string };

/** What the runner passes to a handler besides the golden file. */
export interface RunContext {
  /**
   * The element type to run loopflow in ('float32' by default, loopflow's working type;
   * 'float64' with `--dtype float64`). Build every tensor with `{ dtype }`.
   */
  dtype: DType;
}

/** Runs the cases it claims; exported from a cases/*.ts module as `handlers: CaseHandler[]`. */
export interface CaseHandler {
  /** Short description, e.g. 'LayerNorm forward and gradients'. */
  description: string;
  /** True when this handler runs the case of that name. */
  matches(caseName: string): boolean;
  /**
   * Runs the case in `context.dtype`. Throw a LoopflowError for a malformed golden file (the
   * runner reports it as FAIL, with the message). May return a Promise (e.g. to await a
   * WebAssembly backend). A handler written as `run(golden)` still fits this signature.
   */
  run(golden: Golden, context: RunContext): CaseOutcome | Promise<CaseOutcome>;
}
