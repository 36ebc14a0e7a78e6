import { Tensor } from '@loopflow/tensor';
import { CELL_KINDS, CellKind, FusedCell, hasCellState } from '../kinds';
import { LayerRunnerArgs } from '../layer-runner';

/** The sizes and kernel choice of one fused layer-direction call. */
export interface FusedPlan {
  readonly kind: CellKind;
  /** The kernels' entry points, mode bits and tape layout (the table of cell kinds). */
  readonly kernels: FusedCell;
  /** T, B, H and the gate width G*H. */
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly width: number;
  /** IndRNN: the recurrent weight is a vector `[H]`. */
  readonly diagonal: boolean;
  /** LSTM: the call takes c0 and returns the final c. */
  readonly carriesC: boolean;
  /**
   * Features I of the dense input `[T, B, I]` the call projects itself (`args.input`: the
   * product `x @ W_ih^T + b_ih` inside the kernel, dW_ih and dx in its backward), or 0 when the
   * call is given the projected input (`args.xProjected`).
   */
  readonly input: number;
}

/**
 * Largest WebAssembly memory (bytes) one call may need (tape, outputs, and backward's scratch);
 * larger calls run the composed path. wasm32 memory ends at 4 GiB.
 */
const MAX_CALL_BYTES = 1.5 * 2 ** 30;

function isF32(t: Tensor | null): boolean {
  return t === null || t.data instanceof Float32Array;
}

function sameShape(t: Tensor, shape: number[]): boolean {
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
}

/**
 * The plan of a layer runner call, or null when the fused kernels do not take it (not
 * float32, shapes that do not fit together, too large). Declining is always safe: the
 * composed path then runs (and reports any shape error itself).
 */
export function planFor(args: LayerRunnerArgs): FusedPlan | null {
  const { kind, weights, h0, c0 } = args;
  const { gates, diagonal, fused: kernels } = CELL_KINDS[kind];
  const carriesC = hasCellState(kind);
  if (![h0, c0, weights.weightHh, weights.biasHh].every(isF32) || h0.ndim !== 2) return null;
  const hidden = h0.shape[1];
  // A dense input is projected in the call; else the projected input is given. (Reading
  // `args.xProjected` of a dense input would compute the projection: it is not read then.)
  const x = args.input ?? null;
  let steps: number, batch: number, width: number;
  let input = 0;
  if (x) {
    width = gates * hidden;
    if (![x, weights.weightIh, weights.biasIh].every(isF32) || x.ndim !== 3) return null;
    [steps, batch, input] = x.shape;
    if (input < 1 || !sameShape(weights.weightIh, [width, input])) return null;
    if (weights.biasIh && !sameShape(weights.biasIh, [width])) return null;
  } else {
    const { xProjected } = args;
    if (!isF32(xProjected) || xProjected.ndim !== 3) return null;
    [steps, batch, width] = xProjected.shape;
  }
  if (steps < 1 || batch < 1 || hidden < 1 || width !== gates * hidden || h0.shape[0] !== batch) return null;
  if (carriesC ? !c0 || !sameShape(c0, [batch, hidden]) : c0 !== null) return null;
  if (!sameShape(weights.weightHh, diagonal ? [hidden] : [width, hidden])) return null;
  if (weights.biasHh && !sameShape(weights.biasHh, [width])) return null;
  if (args.lengths && args.lengths.length !== batch) return null;
  // Tape and outputs, then backward's scratch: the dG^T blocks of two threads, packed Hprev
  // (16-column strips), GRU's dRec, the gradients; a dense input and its gradient.
  const rows = steps * batch;
  const inputFloats = input > 0 ? rows * 2 * input + 16 * Math.ceil(input / 16) * (rows + width) : 0;
  const callFloats = rows * (width + 5 * hidden) + rows * (2 * Math.min(32, width) + 16 * Math.ceil(hidden / 16) + width) + inputFloats;
  if (callFloats * 4 > MAX_CALL_BYTES) return null;
  return { kind, kernels, steps, batch, hidden, width, diagonal, carriesC, input };
}

/**
 * Float counts of a plan's tape regions, in the order the kernels take them after `acts` (the
 * table's `tape`): each `[T, B, H]`, or `[2, B, H]` for a forward pass only (`forwardOnly`:
 * the state in two slots used in turn, the kernels' P_NO_TAPE).
 */
export function tapeAuxFloats(plan: FusedPlan, forwardOnly = false): number[] {
  const steps = forwardOnly ? 2 : plan.steps;
  return plan.kernels.tape.map(() => steps * plan.batch * plan.hidden);
}

/** Multiply-adds of the recurrence from which a call is worth splitting between threads (about 50 us). */
const PARALLEL_MIN_WORK = 2 ** 21;

/**
 * Whether a call is worth a helper thread: threads take blocks of batch rows (each running
 * every step, no synchronisation inside the time loop), so the batch must have at least 4 rows
 * and the call enough work.
 */
export function isParallel(plan: FusedPlan): boolean {
  return plan.batch >= 4 && callWork(plan) >= PARALLEL_MIN_WORK;
}

/** Multiply-adds of a call's products: the recurrence, and the input projection when the call does it. */
export function callWork(plan: FusedPlan): number {
  const rows = plan.steps * plan.batch;
  return rows * plan.hidden * (plan.diagonal ? 1 : plan.width) + rows * plan.input * plan.width;
}
