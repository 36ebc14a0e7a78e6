/**
 * The one time-loop skeleton of the fused recurrent kernels, forward and backward, over all T
 * steps of one layer and direction, generic over the cell kind C (kinds.ts: `forward<LstmCell>`
 * compiles to a copy of this code with the LSTM's constants and gate code folded in). The
 * kind's gate code runs at the innermost point, on a segment of one batch row.
 *
 * Forward: work items are blocks of batch rows (team.ts `blockRows`): an item runs every step
 * of its rows, so threads never wait for each other inside the time loop. A step works chunk
 * by chunk of hidden units: the chunk's columns of every gate of `h @ W_hh^T` (W_hh packed once
 * per call), then the gate arithmetic of those units while the pre-activations are in L1. The
 * state lives on the tape (the state step t reads, at t), so a chunk never overwrites what a
 * later chunk of the same step still reads. The projected input is overwritten with the
 * activations, which backward overwrites with the gradient of the projected input.
 *
 * Backward, per block of rows: the last step's gate gradients; then per step and chunk of
 * units, the chunk's columns of `dh += dG_t @ W_hh` (dG_t of every unit is complete) and, with
 * dh of those units complete, the chunk's gate gradients of the step before. The gradients of
 * the product then feed dW_hh and db_hh (weights.ts) after the time loop.
 *
 * Padding (per-sequence lengths): a padded step keeps the state and outputs zero; backward
 * passes dh (and dc) through it unchanged and gives it no gate gradient.
 *
 * Forward only (P_NO_TAPE = 1, a pass no backward follows): the state lives in two `[B, H]`
 * slots at the start of its tape slots, step s reading slot s % 2 and writing the other, and
 * the gate code stores neither the activations nor the kind's kept value; the outputs and the
 * final state are those of the taped forward, bit for bit (the same arithmetic in the same order).
 *
 * Job parameters (team.ts): STEPS, BATCH, HIDDEN, REVERSE, MODE, LENGTHS, THREADS, SCRATCH;
 * ACTS `[T, B, G*H]` (the projected input); the kind's tape slots (kinds.ts); forward: OUT
 * `[T, B, H]`, H and C `[B, H]` (initial state in, final state out), WHH `[G*H, H]` (IndRNN:
 * `[H]`), BHH `[G*H]`; backward: DOUT `[T, B, H]`, DH and DC `[B, H]` (gradient of the final
 * state in, of the initial state out), WEIGHTS (1: compute DWHH and DBHH). A dense input
 * projected in the call (input.ts): X `[T, B, I]` (0: ACTS is given), INPUT, WIH, BIH; backward
 * DX, DWIH, DBIH (each 0 when not wanted).
 *
 * Scratch: forward, the packed W_hh^T, then (product kept apart) the product `[B, G*H]`, then
 * (dense input) the packed W_ih^T; backward, (product kept apart) its gradient `[T, B, G*H]`,
 * then the packed W_hh or the weight-gradient area (weights.ts, input.ts), whichever is larger.
 */
import {
  FLAG_ACCUMULATE, FLAG_TRANS_B, align64, anyActive, f4, gateColumns, isActive, packPlain, packTransposed,
  packedPlainBytes, packedTransposedBytes, plainColumns, timeAt, zeroSegments,
} from './common';
import { diagonalWeightPhases, weightPhases, weightScratchBytes } from './weights';
import { inputGradientPhases, inputGradientScratchBytes, packInput, projectionPhases, projectionScratchBytes } from './input';
import {
  P_ACTS, P_BATCH, P_BHH, P_BIH, P_C, P_DBHH, P_DBIH, P_DC, P_DH, P_DOUT, P_DWHH, P_DWIH, P_DX, P_H, P_HIDDEN, P_INPUT,
  P_LENGTHS, P_MODE, P_NO_TAPE, P_OUT, P_REVERSE, P_SCRATCH, P_STEPS, P_THREADS, P_WEIGHTS, P_WHH, P_WIH, P_X, barrier, blockCount,
  blockRows, chunkUnits, claim, finish, jobBase, param, pointer,
} from './team';

/** The description of cell kind C (kinds.ts); its methods never read `this`. */
// @ts-ignore: decorator
@inline
export function cellOf<C>(): C {
  return changetype<C>(0);
}

/** Bytes of `rows` rows of `width` floats apart from the projected input (+ 64 readable past the end). */
// @ts-ignore: decorator
@inline
function rowsBytes(rows: usize, width: i32): usize {
  return align64(rows * f4(width) + 64);
}

/** A tape pointer parameter of the job, or 0 when the kind has no such slot (`slot` < 0). */
// @ts-ignore: decorator
@inline
function tapeSlot(p: usize, slot: i32): usize {
  return slot >= 0 ? pointer(p, slot) : 0;
}

/** Bytes of the forward scratch before the packed W_ih^T (the packed W_hh^T, then the product kept apart). */
// @ts-ignore: decorator
@inline
function forwardRecurrentBytes<C>(batch: i32, hidden: i32, mode: i32): usize {
  const cell = cellOf<C>();
  const width = cell.gates() * hidden;
  let bytes: usize = cell.hasProduct(mode) ? packedTransposedBytes(batch, hidden, width) : 64;
  if (cell.productApart()) bytes += rowsBytes(<usize>batch, width);
  return bytes;
}

/** Scratch bytes of cell C's forward kernel (`input` I > 0: it projects a dense input itself). */
// @ts-ignore: decorator
@inline
export function forwardScratchBytes<C>(steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32, input: i32): usize {
  let bytes = forwardRecurrentBytes<C>(batch, hidden, mode);
  if (input > 0) bytes += projectionScratchBytes(steps * batch, input, cellOf<C>().gates() * hidden);
  return bytes;
}

/** Scratch bytes of cell C's backward kernel for `threads` threads (`input` I > 0: with the input's gradients). */
// @ts-ignore: decorator
@inline
export function backwardScratchBytes<C>(steps: i32, batch: i32, hidden: i32, mode: i32, threads: i32, input: i32): usize {
  const cell = cellOf<C>();
  const width = cell.gates() * hidden;
  let work: usize = cell.hasProduct(mode)
    ? max(packedPlainBytes(batch, width, hidden), weightScratchBytes(steps * batch, width, hidden, threads))
    : 64;
  const together = cell.hasProduct(mode) && !cell.productApart(); // dW_ih with dW_hh (see backward)
  if (input > 0) work = max(work, inputGradientScratchBytes(steps * batch, width, input, threads, together ? hidden : 0));
  return cell.productApart() ? work + rowsBytes(<usize>steps * <usize>batch, width) : work;
}

/** Forward kernel of cell C (see the file comment). */
export function forward<C>(p: usize, team: usize, tid: i32): void {
  const cell = cellOf<C>();
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const mode = param(p, P_MODE);
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const bhh = pointer(p, P_BHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, cell.hprevSlot());
  const cprev = tapeSlot(p, cell.cprevSlot());
  const kept = tapeSlot(p, cell.keptSlot());
  const out = pointer(p, P_OUT);
  const hFinal = pointer(p, P_H);
  const cFinal = pointer(p, P_C);
  const scratch = pointer(p, P_SCRATCH);
  const threads = param(p, P_THREADS);
  const keep = param(p, P_NO_TAPE) == 0;
  const gates = cell.gates();
  const width = gates * hidden;
  const product = cell.hasProduct(mode);
  const apart = cell.productApart();
  // The product goes onto the projected input, or (kept apart) overwrites `rec` [B, G*H].
  const rec = apart ? scratch + packedTransposedBytes(batch, hidden, width) : 0;
  const flags = apart ? FLAG_TRANS_B : FLAG_TRANS_B | FLAG_ACCUMULATE;
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(width);
  const units = chunkUnits(hidden);
  const rows = blockRows(batch, threads);
  // A dense input `x` [T, B, I] is projected here first (input.ts), W_ih^T packed after the rest.
  const x = pointer(p, P_X);
  const input = param(p, P_INPUT);
  const packedWih = scratch + forwardRecurrentBytes<C>(batch, hidden, mode);
  let phase = jobBase(p);

  // Item 0 packs W_hh^T and lays down the initial state; item 1 (dense input) packs W_ih^T.
  const prepare = x != 0 ? 2 : 1;
  for (;;) {
    const q = claim(team, phase + prepare);
    if (q < 0) break;
    if (q == phase) {
      if (product) packTransposed(whh, batch, hidden, width, scratch);
      const first = keep ? <usize>timeAt(0, steps, reverse) * stateBytes : 0;
      memory.copy(hprev + first, hFinal, stateBytes);
      if (cell.hasCellState()) memory.copy(cprev + first, cFinal, stateBytes);
    } else {
      packInput(pointer(p, P_WIH), steps * batch, input, width, packedWih);
    }
    finish(team, tid);
  }
  barrier(team, phase + prepare);
  phase += prepare;
  if (x != 0) phase = projectionPhases(team, phase, tid, x, steps * batch, input, width, packedWih, pointer(p, P_BIH), acts);

  const end = phase + blockCount(batch, threads);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const b0 = <i32>(q - phase) * rows;
    const b1 = min(batch, b0 + rows);
    for (let s = 0; s < steps; s++) {
      const t = timeAt(s, steps, reverse);
      const tape = <usize>t * stateBytes; // step t's place in [T, B, H]
      // The state step s reads and the one it writes: on the tape at t and at the next step's
      // time, or (forward only) in slots s % 2 and (s + 1) % 2.
      const read = keep ? tape : <usize>(s & 1) * stateBytes;
      const next = s + 1 >= steps ? 0 : keep ? <usize>timeAt(s + 1, steps, reverse) * stateBytes : <usize>((s + 1) & 1) * stateBytes;
      const hIn = hprev + read;
      const cIn = cprev + read;
      const hOut = s + 1 < steps ? hprev + next : hFinal;
      const cOut = s + 1 < steps ? cprev + next : cFinal;
      const a = acts + <usize>t * <usize>batch * rowBytes; // step t's projected input [B, G*H]
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any && product) gateColumns(hIn, whh, apart ? rec : a, batch, b0, b1, hidden, width, scratch, u0, units, hidden, gates, flags);
        for (let b = b0; b < b1; b++) {
          const seg = <usize>b * f4(hidden) + f4(u0);
          if (any && isActive(lengths, b, t)) {
            cell.forward(
              a + <usize>b * rowBytes + f4(u0), rec + <usize>b * rowBytes + f4(u0), bhh + f4(u0), whh + f4(u0), hIn + seg, hOut + seg, cIn + seg, cOut + seg, out + tape + seg,
              kept + tape + seg, units, hidden, mode, keep,
            );
          } else {
            // Padded step: the state carries over, the output is zero.
            memory.copy(hOut + seg, hIn + seg, f4(units));
            if (cell.hasCellState()) memory.copy(cOut + seg, cIn + seg, f4(units));
            memory.fill(out + tape + seg, 0, f4(units));
          }
        }
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
}

/** Gate gradients of step t for rows [b0, b1), units [u0, u0 + units). */
// @ts-ignore: decorator
@inline
function gateGradients<C>(
  t: i32, b0: i32, b1: i32, u0: i32, units: i32, batch: i32, hidden: i32, lengths: usize, mode: i32,
  acts: usize, drec: usize, whh: usize, hprev: usize, cprev: usize, kept: usize, dout: usize, dh: usize, dc: usize,
): void {
  const cell = cellOf<C>();
  const gates = cell.gates();
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(gates * hidden);
  const tape = <usize>t * stateBytes;
  const a = acts + <usize>t * <usize>batch * rowBytes;
  const d = drec + <usize>t * <usize>batch * rowBytes;
  const any = anyActive(lengths, b0, b1, t);
  for (let b = b0; b < b1; b++) {
    const seg = <usize>b * f4(hidden) + f4(u0);
    const wide = <usize>b * rowBytes + f4(u0);
    if (any && isActive(lengths, b, t)) {
      cell.backward(
        a + wide, d + wide, whh + f4(u0), hprev + tape + seg, cprev + tape + seg, kept + tape + seg, dout + tape + seg, dh + seg,
        dc + seg, units, hidden, mode,
      );
    } else {
      // Padded step: dh and dc pass unchanged, no gate gradient.
      zeroSegments(a + wide, gates, units, hidden);
      if (cell.productApart()) zeroSegments(d + wide, gates, units, hidden);
    }
  }
}

/** Backward kernel of cell C (see the file comment). */
export function backward<C>(p: usize, team: usize, tid: i32): void {
  const cell = cellOf<C>();
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const mode = param(p, P_MODE);
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, cell.hprevSlot());
  const cprev = tapeSlot(p, cell.cprevSlot());
  const kept = tapeSlot(p, cell.keptSlot());
  const dout = pointer(p, P_DOUT);
  const dh = pointer(p, P_DH);
  const dc = pointer(p, P_DC);
  const scratch = pointer(p, P_SCRATCH);
  const threads = param(p, P_THREADS);
  const width = cell.gates() * hidden;
  const product = cell.hasProduct(mode);
  const apart = cell.productApart();
  // The gradient of the product's output [T, B, G*H]: the activations' buffer, or (kept
  // apart) its own at the start of the scratch, the rest of which is `work`.
  const drec = apart ? scratch : 0;
  const work = apart ? scratch + rowsBytes(<usize>steps * <usize>batch, width) : scratch;
  const grads = apart ? drec : acts;
  const rowBytes = f4(width);
  const units = chunkUnits(hidden);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    if (product) packPlain(whh, batch, width, hidden, work);
    finish(team, tid);
  }
  barrier(team, phase + 1);
  phase += 1;

  const end = phase + blockCount(batch, threads);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const b0 = <i32>(q - phase) * rows;
    const b1 = min(batch, b0 + rows);
    const last = timeAt(steps - 1, steps, reverse);
    for (let u0 = 0; u0 < hidden; u0 += units) {
      gateGradients<C>(last, b0, b1, u0, units, batch, hidden, lengths, mode, acts, drec, whh, hprev, cprev, kept, dout, dh, dc);
    }
    for (let s = steps - 1; s >= 0; s--) {
      const t = timeAt(s, steps, reverse);
      const g = grads + <usize>t * <usize>batch * rowBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any && product) plainColumns(g, whh, dh, batch, b0, b1, width, hidden, work, u0, units);
        if (s > 0) {
          const before = timeAt(s - 1, steps, reverse);
          gateGradients<C>(before, b0, b1, u0, units, batch, hidden, lengths, mode, acts, drec, whh, hprev, cprev, kept, dout, dh, dc);
        }
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
  const total = steps * batch;
  // A dense input projected in forward: dW_ih, db_ih and dx come from the gradient of the
  // projected input, which the gate code left in the activations' buffer (input.ts). When that
  // is also the recurrent product's gradient (not kept apart), dW_ih is taken in the same pass
  // over its transposed blocks as dW_hh.
  const x = pointer(p, P_X);
  const input = param(p, P_INPUT);
  let dwih = pointer(p, P_DWIH);
  const dbih = pointer(p, P_DBIH);
  phase = end;
  if (param(p, P_WEIGHTS) != 0) {
    const dwhh = pointer(p, P_DWHH);
    const dbhh = pointer(p, P_DBHH);
    if (product && !apart && x != 0 && dwih != 0) {
      phase = weightPhases(team, phase, tid, grads, hprev, total, width, hidden, dwhh, dbhh, work, x, input, dwih, dbih);
      dwih = 0; // done
    } else if (product) {
      phase = weightPhases(team, phase, tid, grads, hprev, total, width, hidden, dwhh, dbhh, work);
    } else {
      phase = diagonalWeightPhases(team, phase, tid, grads, hprev, total, width, dwhh, dbhh);
    }
  }
  if (x != 0) inputGradientPhases(team, phase, tid, acts, total, width, input, x, pointer(p, P_WIH), pointer(p, P_DX), dwih, dbih, work);
}
