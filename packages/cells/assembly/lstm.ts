/**
 * Fused LSTM over all T steps of one layer and direction (PyTorch gate order i, f, g, o):
 * ```
 * i, f, g, o = split(xProjected_t + h W_hh^T + b_hh)
 * c' = sigmoid(f) * c + sigmoid(i) * tanh(g)      h' = sigmoid(o) * tanh(c')
 * ```
 * Work items are blocks of batch rows (team.ts `blockRows`): an item runs every step of its
 * rows, so threads never wait for each other inside the time loop. A step works chunk by chunk
 * of hidden units: the chunk's columns of every gate of `h @ W_hh^T` (W_hh packed once per
 * call), then the gate arithmetic of those units while the pre-activations are in L1. The state
 * lives on the tape (`hprev[t]`, `cprev[t]`: the state step t reads), so a chunk never
 * overwrites what a later chunk of the same step still reads.
 *
 * The projected input is overwritten with the activations, which backward overwrites with the
 * gate gradients; that buffer then feeds the dW_hh product and the bias sums (weights.ts).
 *
 * Parameters (team.ts): ACTS [T, B, 4H]; AUX0 hprev, AUX1 cprev, AUX2 tanh(c') [T, B, H];
 * OUT [T, B, H] (forward); H, C [B, H] (forward: h0, c0 in, final state out); DOUT [T, B, H],
 * DH, DC [B, H] (backward: gradient of the final state in, of the initial state out);
 * WHH [4H, H], BHH [4H], DWHH, DBHH.
 */
import { lstmCells, lstmCellsBackward } from './cells';
import {
  FLAG_ACCUMULATE, FLAG_TRANS_B, anyActive, f4, gateColumns, isActive, packPlain, packTransposed, plainColumns,
  timeAt, zeroSegments,
} from './common';
import { weightPhases } from './weights';
import {
  P_ACTS, P_AUX0, P_AUX1, P_AUX2, P_BATCH, P_BHH, P_C, P_DC, P_DH, P_DOUT, P_DBHH, P_DWHH, P_H, P_HIDDEN, P_LENGTHS, P_OUT,
  P_REVERSE, P_SCRATCH, P_STEPS, P_THREADS, P_WEIGHTS, P_WHH, barrier, blockCount, blockRows, chunkUnits, claim, finish,
  jobBase, param, pointer,
} from './team';

export function lstmForward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const bhh = pointer(p, P_BHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, P_AUX0);
  const cprev = pointer(p, P_AUX1);
  const tanhc = pointer(p, P_AUX2);
  const out = pointer(p, P_OUT);
  const hFinal = pointer(p, P_H);
  const cFinal = pointer(p, P_C);
  const scratch = pointer(p, P_SCRATCH);
  const threads = param(p, P_THREADS);
  const width = 4 * hidden;
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(width);
  const units = chunkUnits(hidden);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    packTransposed(whh, batch, hidden, width, scratch);
    const first = <usize>timeAt(0, steps, reverse) * stateBytes;
    memory.copy(hprev + first, hFinal, stateBytes);
    memory.copy(cprev + first, cFinal, stateBytes);
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
    for (let s = 0; s < steps; s++) {
      const t = timeAt(s, steps, reverse);
      const tape = <usize>t * stateBytes;
      const next = s + 1 < steps ? <usize>timeAt(s + 1, steps, reverse) * stateBytes : 0;
      const hIn = hprev + tape;
      const cIn = cprev + tape;
      const hOut = s + 1 < steps ? hprev + next : hFinal;
      const cOut = s + 1 < steps ? cprev + next : cFinal;
      const a = acts + <usize>t * <usize>batch * rowBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any) gateColumns(hIn, whh, a, batch, b0, b1, hidden, width, scratch, u0, units, hidden, 4, FLAG_TRANS_B | FLAG_ACCUMULATE);
        for (let b = b0; b < b1; b++) {
          const seg = <usize>b * f4(hidden) + f4(u0);
          if (any && isActive(lengths, b, t)) {
            lstmCells(a + <usize>b * rowBytes + f4(u0), bhh + f4(u0), cIn + seg, cOut + seg, hOut + seg, out + tape + seg, tanhc + tape + seg, units, hidden);
          } else {
            // Padded step: the state carries over, the output is zero.
            memory.copy(hOut + seg, hIn + seg, f4(units));
            memory.copy(cOut + seg, cIn + seg, f4(units));
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
function gateGradients(
  t: i32, b0: i32, b1: i32, u0: i32, units: i32, batch: i32, hidden: i32, lengths: usize,
  acts: usize, cprev: usize, tanhc: usize, dout: usize, dh: usize, dc: usize,
): void {
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(4 * hidden);
  const tape = <usize>t * stateBytes;
  const a = acts + <usize>t * <usize>batch * rowBytes;
  const any = anyActive(lengths, b0, b1, t);
  for (let b = b0; b < b1; b++) {
    const seg = <usize>b * f4(hidden) + f4(u0);
    const pa = a + <usize>b * rowBytes + f4(u0);
    if (any && isActive(lengths, b, t)) {
      lstmCellsBackward(pa, cprev + tape + seg, tanhc + tape + seg, dout + tape + seg, dh + seg, dc + seg, units, hidden);
    } else {
      zeroSegments(pa, 4, units, hidden); // padded step: dh and dc pass unchanged
    }
  }
}

export function lstmBackward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, P_AUX0);
  const cprev = pointer(p, P_AUX1);
  const tanhc = pointer(p, P_AUX2);
  const dout = pointer(p, P_DOUT);
  const dh = pointer(p, P_DH);
  const dc = pointer(p, P_DC);
  const scratch = pointer(p, P_SCRATCH);
  const threads = param(p, P_THREADS);
  const width = 4 * hidden;
  const rowBytes = f4(width);
  const units = chunkUnits(hidden);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    packPlain(whh, batch, width, hidden, scratch);
    finish(team, tid);
  }
  barrier(team, phase + 1);
  phase += 1;

  // Per block of rows: the last step's gate gradients; then per step and chunk of units, the
  // chunk's columns of dh += dG_t @ W_hh (dG_t of every unit is complete) and, with dh of those
  // units complete, the chunk's gate gradients of the step before.
  const end = phase + blockCount(batch, threads);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const b0 = <i32>(q - phase) * rows;
    const b1 = min(batch, b0 + rows);
    const last = timeAt(steps - 1, steps, reverse);
    for (let u0 = 0; u0 < hidden; u0 += units) {
      gateGradients(last, b0, b1, u0, units, batch, hidden, lengths, acts, cprev, tanhc, dout, dh, dc);
    }
    for (let s = steps - 1; s >= 0; s--) {
      const t = timeAt(s, steps, reverse);
      const a = acts + <usize>t * <usize>batch * rowBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any) plainColumns(a, whh, dh, batch, b0, b1, width, hidden, scratch, u0, units);
        if (s > 0) gateGradients(timeAt(s - 1, steps, reverse), b0, b1, u0, units, batch, hidden, lengths, acts, cprev, tanhc, dout, dh, dc);
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
  if (param(p, P_WEIGHTS) != 0) {
    weightPhases(team, end, tid, acts, hprev, steps * batch, width, hidden, pointer(p, P_DWHH), pointer(p, P_DBHH), scratch);
  }
}
