/**
 * The cell kinds of the fused kernels, each described in one place: its kernel codes, gates
 * per hidden unit, state parts, recurrent product, tape slots and the gate code (cells.ts)
 * that the skeleton (skeleton.ts) and the streamer (stream.ts) call at their innermost point.
 * The dispatcher (`runCellJob`) and `cellScratchBytes` read these descriptions; a new cell kind
 * is a class here and a line in each of those two lists.
 *
 * A kind is an `@unmanaged` class of `@inline` methods, passed as the type parameter of the
 * skeleton's generic functions (`forward<LstmCell>`): AssemblyScript compiles a copy of the
 * skeleton per kind, and the methods' constants fold into it as if written by hand. The
 * methods never touch `this` (`cellOf<C>()` is a null reference).
 *
 * What every kind provides:
 * - `forwardKernel()`, `backwardKernel()`, `streamKind()`: its K_* codes (team.ts) and its
 *   code in the stream job (stream.ts KIND_*).
 * - `gates()`: gate blocks per hidden unit (G); the projected input is `[T, B, G*H]`.
 * - `hasCellState()`: a second state part c beside h (LSTM): tape slot `cprevSlot()`, job
 *   parameters C (forward) and DC (backward).
 * - `hasProduct(mode)`: whether the recurrence is a product `h @ W_hh^T`; false for a
 *   diagonal recurrence (IndRNN), where the gate code reads `w_hh` elementwise and the weight
 *   gradient is a column sum (weights.ts `diagonalWeightPhases`).
 * - `productApart()`: the recurrent product goes to a buffer of its own (GRU: r multiplies its
 *   n block), not onto the projected input; backward then keeps the product's gradient
 *   `[T, B, G*H]` apart too (it feeds `dh` and dW_hh; the activations' buffer receives the
 *   gradient of the projected input).
 * - `hprevSlot()`, `cprevSlot()`, `keptSlot()`: the job parameters (P_AUX*) holding its tape:
 *   the state each step reads `[T, B, H]`, and the value per step its backward reads besides
 *   (`-1`: none). Mirrored in ../src/fused/plan.ts `tapeAuxFloats`.
 * - `forward(...)`, `backward(...)`: the gate code on a segment of one batch row (see
 *   `LstmCell` for the arguments); each kind ignores the arguments it has no use for. Forward's
 *   `keep` false (a forward-only call, P_NO_TAPE) skips the stores only backward reads.
 */
import { MODE_DIAGONAL, gruCells, gruCellsBackward, lstmCells, lstmCellsBackward, rnnCells, rnnCellsBackward } from './cells';
import { backward, backwardScratchBytes, cellOf, forward, forwardScratchBytes } from './skeleton';
import { KIND_GRU, KIND_LSTM, KIND_RNN, P_STREAM_KIND, streamStep } from './stream';
import {
  K_GRU_BACKWARD, K_GRU_FORWARD, K_LSTM_BACKWARD, K_LSTM_FORWARD, K_RNN_BACKWARD, K_RNN_FORWARD, K_STREAM, P_AUX0, P_AUX1,
  P_AUX2, P_KERNEL, param,
} from './team';

/** LSTM tape: hprev, cprev (the state step t reads), tanh(c') `[T, B, H]`. */
export const P_LSTM_HPREV: i32 = P_AUX0;
export const P_LSTM_CPREV: i32 = P_AUX1;
export const P_LSTM_TANHC: i32 = P_AUX2;
/** GRU tape: `h W_hn^T + b_hn`, hprev `[T, B, H]`. */
export const P_GRU_HN: i32 = P_AUX0;
export const P_GRU_HPREV: i32 = P_AUX1;
/** RNN / IndRNN tape: hprev `[T, B, H]`. */
export const P_RNN_HPREV: i32 = P_AUX0;

/**
 * LSTM (PyTorch gate order i, f, g, o):
 * ```
 * i, f, g, o = split(xProjected_t + h W_hh^T + b_hh)
 * c' = sigmoid(f) * c + sigmoid(i) * tanh(g)      h' = sigmoid(o) * tanh(c')
 * ```
 */
// @ts-ignore: decorator
@final @unmanaged
export class LstmCell {
  // @ts-ignore: decorator
  @inline forwardKernel(): i32 { return K_LSTM_FORWARD; }
  // @ts-ignore: decorator
  @inline backwardKernel(): i32 { return K_LSTM_BACKWARD; }
  // @ts-ignore: decorator
  @inline streamKind(): i32 { return KIND_LSTM; }
  // @ts-ignore: decorator
  @inline gates(): i32 { return 4; }
  // @ts-ignore: decorator
  @inline hasCellState(): bool { return true; }
  // @ts-ignore: decorator
  @inline hasProduct(mode: i32): bool { return true; }
  // @ts-ignore: decorator
  @inline productApart(): bool { return false; }
  // @ts-ignore: decorator
  @inline hprevSlot(): i32 { return P_LSTM_HPREV; }
  // @ts-ignore: decorator
  @inline cprevSlot(): i32 { return P_LSTM_CPREV; }
  // @ts-ignore: decorator
  @inline keptSlot(): i32 { return P_LSTM_TANHC; }

  /**
   * Forward gate code on `count` units of one row, gate blocks `stride` floats apart: `acts`
   * the projected input (+ the product unless apart) -> activations; `rec` the product kept
   * apart; `bias` b_hh; `w` the diagonal w_hh; `hIn`/`cIn` the state read, `hOut`/`cOut` the
   * state written; `out` the output; `kept` the per-step tape value backward reads; `keep`
   * false: no backward follows, so the activations and `kept` are not stored (the state and
   * the output are, bit for bit the same).
   */
  // @ts-ignore: decorator
  @inline forward(acts: usize, rec: usize, bias: usize, w: usize, hIn: usize, hOut: usize, cIn: usize, cOut: usize, out: usize, kept: usize, count: i32, stride: i32, mode: i32, keep: bool): void {
    lstmCells(acts, bias, cIn, cOut, hOut, out, kept, count, stride, keep);
  }

  /**
   * Backward gate code: `acts` activations -> gradient of the projected input; `drec` receives
   * the gradient of the product kept apart; `hPrev`/`cPrev`/`kept` from the tape; `dout` the
   * output's gradient; `dh`/`dc` the gradient of the state written, replaced by the part of
   * the previous state's gradient that does not go through the product.
   */
  // @ts-ignore: decorator
  @inline backward(acts: usize, drec: usize, w: usize, hPrev: usize, cPrev: usize, kept: usize, dout: usize, dh: usize, dc: usize, count: i32, stride: i32, mode: i32): void {
    lstmCellsBackward(acts, cPrev, kept, dout, dh, dc, count, stride);
  }
}

/**
 * GRU (PyTorch gate order r, z, n; the reset gate applied after the recurrent product, which
 * is therefore kept apart):
 * ```
 * r = sigmoid(x_r + h W_hr^T + b_hr)     z = sigmoid(x_z + h W_hz^T + b_hz)
 * n = tanh(x_n + r * (h W_hn^T + b_hn))  h' = n + z * (h - n)
 * ```
 */
// @ts-ignore: decorator
@final @unmanaged
export class GruCell {
  // @ts-ignore: decorator
  @inline forwardKernel(): i32 { return K_GRU_FORWARD; }
  // @ts-ignore: decorator
  @inline backwardKernel(): i32 { return K_GRU_BACKWARD; }
  // @ts-ignore: decorator
  @inline streamKind(): i32 { return KIND_GRU; }
  // @ts-ignore: decorator
  @inline gates(): i32 { return 3; }
  // @ts-ignore: decorator
  @inline hasCellState(): bool { return false; }
  // @ts-ignore: decorator
  @inline hasProduct(mode: i32): bool { return true; }
  // @ts-ignore: decorator
  @inline productApart(): bool { return true; }
  // @ts-ignore: decorator
  @inline hprevSlot(): i32 { return P_GRU_HPREV; }
  // @ts-ignore: decorator
  @inline cprevSlot(): i32 { return -1; }
  // @ts-ignore: decorator
  @inline keptSlot(): i32 { return P_GRU_HN; }

  // @ts-ignore: decorator
  @inline forward(acts: usize, rec: usize, bias: usize, w: usize, hIn: usize, hOut: usize, cIn: usize, cOut: usize, out: usize, kept: usize, count: i32, stride: i32, mode: i32, keep: bool): void {
    gruCells(acts, rec, bias, hIn, hOut, out, kept, count, stride, keep);
  }

  // @ts-ignore: decorator
  @inline backward(acts: usize, drec: usize, w: usize, hPrev: usize, cPrev: usize, kept: usize, dout: usize, dh: usize, dc: usize, count: i32, stride: i32, mode: i32): void {
    gruCellsBackward(acts, drec, kept, hPrev, dout, dh, count, stride);
  }
}

/**
 * Elman RNN and IndRNN: `h' = act(xProjected_t + W_hh h + b_hh)` (IndRNN: `w_hh * h`,
 * elementwise), act = tanh or relu (`mode` bits MODE_RELU, MODE_DIAGONAL: cells.ts).
 */
// @ts-ignore: decorator
@final @unmanaged
export class RnnCell {
  // @ts-ignore: decorator
  @inline forwardKernel(): i32 { return K_RNN_FORWARD; }
  // @ts-ignore: decorator
  @inline backwardKernel(): i32 { return K_RNN_BACKWARD; }
  // @ts-ignore: decorator
  @inline streamKind(): i32 { return KIND_RNN; }
  // @ts-ignore: decorator
  @inline gates(): i32 { return 1; }
  // @ts-ignore: decorator
  @inline hasCellState(): bool { return false; }
  // @ts-ignore: decorator
  @inline hasProduct(mode: i32): bool { return (mode & MODE_DIAGONAL) == 0; }
  // @ts-ignore: decorator
  @inline productApart(): bool { return false; }
  // @ts-ignore: decorator
  @inline hprevSlot(): i32 { return P_RNN_HPREV; }
  // @ts-ignore: decorator
  @inline cprevSlot(): i32 { return -1; }
  // @ts-ignore: decorator
  @inline keptSlot(): i32 { return -1; }

  // @ts-ignore: decorator
  @inline forward(acts: usize, rec: usize, bias: usize, w: usize, hIn: usize, hOut: usize, cIn: usize, cOut: usize, out: usize, kept: usize, count: i32, stride: i32, mode: i32, keep: bool): void {
    rnnCells(acts, bias, w, hIn, hOut, out, count, mode, keep);
  }

  // @ts-ignore: decorator
  @inline backward(acts: usize, drec: usize, w: usize, hPrev: usize, cPrev: usize, kept: usize, dout: usize, dh: usize, dc: usize, count: i32, stride: i32, mode: i32): void {
    rnnCellsBackward(acts, w, dout, dh, count, mode);
  }
}

/** Runs job `p` if its kernel is one of cell C's (forward, backward, or a streamed step of C); returns whether it was. */
// @ts-ignore: decorator
@inline
function runIfOf<C>(kernel: i32, p: usize, team: usize, tid: i32): bool {
  const cell = cellOf<C>();
  if (kernel == cell.forwardKernel()) forward<C>(p, team, tid);
  else if (kernel == cell.backwardKernel()) backward<C>(p, team, tid);
  else if (kernel == K_STREAM && param(p, P_STREAM_KIND) == cell.streamKind()) streamStep<C>(p, team, tid);
  else return false;
  return true;
}

/** Runs the job at `p` (team.ts parameters) as thread `tid`: the dispatcher over every cell kind. */
export function runCellJob(p: usize, team: usize, tid: i32): void {
  const kernel = param(p, P_KERNEL);
  if (runIfOf<LstmCell>(kernel, p, team, tid)) return;
  if (runIfOf<GruCell>(kernel, p, team, tid)) return;
  runIfOf<RnnCell>(kernel, p, team, tid);
}

/** Scratch bytes of `kernel` when it is one of cell C's, else 0. */
// @ts-ignore: decorator
@inline
function scratchIfOf<C>(kernel: i32, steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32, input: i32): usize {
  const cell = cellOf<C>();
  if (kernel == cell.forwardKernel()) return forwardScratchBytes<C>(steps, batch, hidden, mode, threads, input);
  if (kernel == cell.backwardKernel()) return backwardScratchBytes<C>(steps, batch, hidden, mode, threads, input);
  return 0;
}

/**
 * Scratch bytes of a kernel (K_* code) for `threads` threads and a dense input of `input`
 * features projected in the call (0: the projected input is given); 64 for a kernel of no cell
 * kind (the stream job).
 */
export function cellScratchBytes(kernel: i32, steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32, input: i32): usize {
  let bytes = scratchIfOf<LstmCell>(kernel, steps, batch, hidden, mode, threads, input);
  if (bytes == 0) bytes = scratchIfOf<GruCell>(kernel, steps, batch, hidden, mode, threads, input);
  if (bytes == 0) bytes = scratchIfOf<RnnCell>(kernel, steps, batch, hidden, mode, threads, input);
  return bytes == 0 ? 64 : bytes;
}
