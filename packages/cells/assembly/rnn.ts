/**
 * Fused Elman RNN and IndRNN over all T steps of one layer and direction:
 * `h' = act(xProjected_t + W_hh h + b_hh)` (IndRNN: `w_hh * h`, elementwise), act = tanh or
 * relu (`MODE` bits, cells.ts). Items are blocks of batch rows, steps work chunk by chunk of
 * hidden units, like lstm.ts. Forward overwrites the
 * projected input with h' (all backward needs besides the previous state); backward overwrites
 * it with the gradient of the pre-activation.
 *
 * Parameters: ACTS [T, B, H]; AUX0 hprev [T, B, H]; OUT; H (h0 in, final out); DOUT, DH;
 * WHH [H, H] or [H]; BHH [H]; DWHH, DBHH; MODE.
 */
import { MODE_DIAGONAL, rnnCells, rnnCellsBackward } from './cells';
import {
  FLAG_ACCUMULATE, FLAG_TRANS_B, anyActive, f4, gateColumns, isActive, packPlain, packTransposed, plainColumns, timeAt,
} from './common';
import { diagonalWeightPhases, weightPhases } from './weights';
import {
  P_ACTS, P_AUX0, P_BATCH, P_BHH, P_DBHH, P_DH, P_DOUT, P_DWHH, P_H, P_HIDDEN, P_LENGTHS, P_MODE, P_OUT, P_REVERSE,
  P_SCRATCH, P_STEPS, P_THREADS, P_WEIGHTS, P_WHH, barrier, blockCount, blockRows, chunkUnits, claim, finish, jobBase,
  param, pointer,
} from './team';

export function rnnForward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const mode = param(p, P_MODE);
  const diagonal = (mode & MODE_DIAGONAL) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const bhh = pointer(p, P_BHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, P_AUX0);
  const out = pointer(p, P_OUT);
  const hFinal = pointer(p, P_H);
  const scratch = pointer(p, P_SCRATCH);
  const stateBytes = <usize>batch * f4(hidden);
  const units = chunkUnits(hidden);
  const threads = param(p, P_THREADS);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    if (!diagonal) packTransposed(whh, batch, hidden, hidden, scratch);
    memory.copy(hprev + <usize>timeAt(0, steps, reverse) * stateBytes, hFinal, stateBytes);
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
      const hIn = hprev + tape;
      const hOut = s + 1 < steps ? hprev + <usize>timeAt(s + 1, steps, reverse) * stateBytes : hFinal;
      const a = acts + tape;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any && !diagonal) gateColumns(hIn, whh, a, batch, b0, b1, hidden, hidden, scratch, u0, units, hidden, 1, FLAG_TRANS_B | FLAG_ACCUMULATE);
        for (let b = b0; b < b1; b++) {
          const seg = <usize>b * f4(hidden) + f4(u0);
          if (any && isActive(lengths, b, t)) {
            rnnCells(a + seg, bhh + f4(u0), whh + f4(u0), hIn + seg, hOut + seg, out + tape + seg, units, mode);
          } else {
            memory.copy(hOut + seg, hIn + seg, f4(units));
            memory.fill(out + tape + seg, 0, f4(units));
          }
        }
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
}

// @ts-ignore: decorator
@inline
function gateGradients(t: i32, b0: i32, b1: i32, u0: i32, units: i32, batch: i32, hidden: i32, lengths: usize, mode: i32, acts: usize, whh: usize, dout: usize, dh: usize): void {
  const stateBytes = <usize>batch * f4(hidden);
  const tape = <usize>t * stateBytes;
  const any = anyActive(lengths, b0, b1, t);
  for (let b = b0; b < b1; b++) {
    const seg = <usize>b * f4(hidden) + f4(u0);
    if (any && isActive(lengths, b, t)) {
      rnnCellsBackward(acts + tape + seg, whh + f4(u0), dout + tape + seg, dh + seg, units, mode);
    } else {
      memory.fill(acts + tape + seg, 0, f4(units));
    }
  }
}

export function rnnBackward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const mode = param(p, P_MODE);
  const diagonal = (mode & MODE_DIAGONAL) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const acts = pointer(p, P_ACTS);
  const hprev = pointer(p, P_AUX0);
  const dout = pointer(p, P_DOUT);
  const dh = pointer(p, P_DH);
  const scratch = pointer(p, P_SCRATCH);
  const stateBytes = <usize>batch * f4(hidden);
  const units = chunkUnits(hidden);
  const threads = param(p, P_THREADS);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    if (!diagonal) packPlain(whh, batch, hidden, hidden, scratch);
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
      gateGradients(last, b0, b1, u0, units, batch, hidden, lengths, mode, acts, whh, dout, dh);
    }
    for (let s = steps - 1; s >= 0; s--) {
      const t = timeAt(s, steps, reverse);
      const a = acts + <usize>t * stateBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any && !diagonal) plainColumns(a, whh, dh, batch, b0, b1, hidden, hidden, scratch, u0, units);
        if (s > 0) gateGradients(timeAt(s - 1, steps, reverse), b0, b1, u0, units, batch, hidden, lengths, mode, acts, whh, dout, dh);
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
  if (param(p, P_WEIGHTS) != 0) {
    const total = steps * batch;
    if (diagonal) diagonalWeightPhases(team, end, tid, acts, hprev, total, hidden, pointer(p, P_DWHH), pointer(p, P_DBHH));
    else weightPhases(team, end, tid, acts, hprev, total, hidden, hidden, pointer(p, P_DWHH), pointer(p, P_DBHH), scratch);
  }
}
