import { Tensor } from '@loopflow/tensor';
import { CellKind } from '../config';
import { LayerRunnerArgs } from '../layer-direction';
import { MODE_DIAGONAL, MODE_RELU } from './wasm-module';

/** Which fused kernel family runs a cell kind. */
export type KernelFamily = 'lstm' | 'gru' | 'rnn';

/** The sizes and kernel choice of one fused layer-direction call. */
export interface FusedPlan {
  readonly kind: CellKind;
  readonly family: KernelFamily;
  /** rnn.ts mode bits (relu, diagonal); 0 for lstm / gru. */
  readonly mode: number;
  /** T, B, H and the gate width G*H. */
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  readonly width: number;
  /** IndRNN: the recurrent weight is a vector `[H]`. */
  readonly diagonal: boolean;
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
  const family: KernelFamily = kind === 'lstm' ? 'lstm' : kind === 'gru' ? 'gru' : 'rnn';
  const gates = family === 'lstm' ? 4 : family === 'gru' ? 3 : 1;
  const diagonal = kind === 'indrnn_relu' || kind === 'indrnn_tanh';
  if (xProjected.ndim !== 3 || h0.ndim !== 2) return null;
  const [steps, batch, width] = xProjected.shape;
  const hidden = h0.shape[1];
  if (steps < 1 || batch < 1 || hidden < 1 || width !== gates * hidden || h0.shape[0] !== batch) return null;
  if (family === 'lstm' ? !c0 || !sameShape(c0, [batch, hidden]) : c0 !== null) return null;
  if (!sameShape(weights.weightHh, diagonal ? [hidden] : [width, hidden])) return null;
  if (weights.biasHh && !sameShape(weights.biasHh, [width])) return null;
  if (args.lengths && args.lengths.length !== batch) return null;
  // Tape and outputs, then backward's scratch: the dG^T blocks of two threads, packed Hprev
  // (16-column strips), GRU's dRec, the gradients.
  const rows = steps * batch;
  const callFloats = rows * (width + 5 * hidden) + rows * (2 * Math.min(32, width) + 16 * Math.ceil(hidden / 16) + width);
  if (callFloats * 4 > MAX_CALL_BYTES) return null;
  const mode = family === 'rnn' ? (kind.endsWith('relu') ? MODE_RELU : 0) | (diagonal ? MODE_DIAGONAL : 0) : 0;
  return { kind, family, mode, steps, batch, hidden, width, diagonal };
}

/** Float counts of a plan's tape regions, in the order the kernels take them after `acts`. */
export function tapeAuxFloats(plan: FusedPlan): number[] {
  const state = plan.steps * plan.batch * plan.hidden;
  switch (plan.family) {
    case 'lstm': return [state, state, state]; // hprev, cprev, tanhc
    case 'gru': return [state, state]; // hn, hprev
    default: return [state]; // hprev
  }
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
