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
  const { kind, weights, xProjected, h0, c0 } = args;
  if (![xProjected, h0, c0, weights.weightHh, weights.biasHh].every(isF32)) return null;
  const { gates, diagonal, fused: kernels } = CELL_KINDS[kind];
  const carriesC = hasCellState(kind);
  if (xProjected.ndim !== 3 || h0.ndim !== 2) return null;
  const [steps, batch, width] = xProjected.shape;
  const hidden = h0.shape[1];
  if (steps < 1 || batch < 1 || hidden < 1 || width !== gates * hidden || h0.shape[0] !== batch) return null;
  if (carriesC ? !c0 || !sameShape(c0, [batch, hidden]) : c0 !== null) return null;
  if (!sameShape(weights.weightHh, diagonal ? [hidden] : [width, hidden])) return null;
  if (weights.biasHh && !sameShape(weights.biasHh, [width])) return null;
  if (args.lengths && args.lengths.length !== batch) return null;
  // Tape and outputs, then backward's scratch: the dG^T blocks of two threads, packed Hprev
  // (16-column strips), GRU's dRec, the gradients.
  const rows = steps * batch;
  const callFloats = rows * (width + 5 * hidden) + rows * (2 * Math.min(32, width) + 16 * Math.ceil(hidden / 16) + width);
  if (callFloats * 4 > MAX_CALL_BYTES) return null;
  return { kind, kernels, steps, batch, hidden, width, diagonal, carriesC };
}

/** Float counts of a plan's tape regions, in the order the kernels take them after `acts` (the table's `tape`). */
export function tapeAuxFloats(plan: FusedPlan): number[] {
  return plan.kernels.tape.map(() => plan.steps * plan.batch * plan.hidden); // each [T, B, H]
}

/** Multiply-adds of the recurrence from which a call is worth splitting between threads (about 50 us). */
const PARALLEL_MIN_WORK = 2 ** 21;

/**
 * Whether a call is worth a helper thread: threads take blocks of batch rows (each running
 * every step, no synchronisation inside the time loop), so the batch must have at least 4 rows
 * and the call enough work.
 */
export function isParallel(plan: FusedPlan): boolean {
  const work = plan.steps * plan.batch * plan.hidden * (plan.diagonal ? 1 : plan.width);
  return plan.batch >= 4 && work >= PARALLEL_MIN_WORK;
}
