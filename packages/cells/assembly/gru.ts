/**
 * Fused GRU over all T steps of one layer and direction (PyTorch gate order r, z, n; the reset
 * gate applied after the recurrent product):
 * ```
 * r = sigmoid(x_r + h W_hr^T + b_hr)     z = sigmoid(x_z + h W_hz^T + b_hz)
 * n = tanh(x_n + r * (h W_hn^T + b_hn))  h' = n + z * (h - n)
 * ```
 * Items are blocks of batch rows, steps work chunk by chunk of hidden units, like lstm.ts. The recurrent product goes to a scratch buffer (its n
 * block is needed apart from x_n). Forward overwrites the projected input with r, z, n and keeps
 * `h W_hn^T + b_hn` on the tape; backward overwrites r, z, n with the gradient of the projected
 * input and writes the gradient of the recurrent product (n block times r) to scratch for dW_hh.
 *
 * Parameters: ACTS [T, B, 3H]; AUX0 hn, AUX1 hprev [T, B, H]; OUT; H (h0 in, final out); DOUT,
 * DH; WHH [3H, H], BHH [3H], DWHH, DBHH. Scratch: forward, packed W^T then rec [B, 3H];
 * backward, dRec [T, B, 3H] then the packed W / weight-gradient area.
 */
import { gruCells, gruCellsBackward } from './cells';
import {
  FLAG_TRANS_B, align64, anyActive, f4, gateColumns, isActive, packPlain, packTransposed, packedTransposedBytes,
  plainColumns, timeAt, zeroSegments,
} from './common';
import { weightPhases } from './weights';
import {
  P_ACTS, P_AUX0, P_AUX1, P_BATCH, P_BHH, P_DBHH, P_DH, P_DOUT, P_DWHH, P_H, P_HIDDEN, P_LENGTHS, P_OUT, P_REVERSE,
  P_SCRATCH, P_STEPS, P_THREADS, P_WEIGHTS, P_WHH, barrier, blockCount, blockRows, chunkUnits, claim, finish, jobBase,
  param, pointer,
} from './team';

/** Bytes of the dRec buffer at the start of the backward scratch. */
export function gruRecBytes(steps: i32, batch: i32, hidden: i32): usize {
  return align64(<usize>steps * <usize>batch * f4(3 * hidden) + 64);
}

export function gruForward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const bhh = pointer(p, P_BHH);
  const acts = pointer(p, P_ACTS);
  const hn = pointer(p, P_AUX0);
  const hprev = pointer(p, P_AUX1);
  const out = pointer(p, P_OUT);
  const hFinal = pointer(p, P_H);
  const scratch = pointer(p, P_SCRATCH);
  const width = 3 * hidden;
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(width);
  const rec = scratch + packedTransposedBytes(batch, hidden, width);
  const units = chunkUnits(hidden);
  const threads = param(p, P_THREADS);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    packTransposed(whh, batch, hidden, width, scratch);
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
      const a = acts + <usize>t * <usize>batch * rowBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any) gateColumns(hIn, whh, rec, batch, b0, b1, hidden, width, scratch, u0, units, hidden, 3, FLAG_TRANS_B);
        for (let b = b0; b < b1; b++) {
          const seg = <usize>b * f4(hidden) + f4(u0);
          const wide = <usize>b * rowBytes + f4(u0);
          if (any && isActive(lengths, b, t)) {
            gruCells(a + wide, rec + wide, bhh + f4(u0), hIn + seg, hOut + seg, out + tape + seg, hn + tape + seg, units, hidden);
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
function gateGradients(
  t: i32, b0: i32, b1: i32, u0: i32, units: i32, batch: i32, hidden: i32, lengths: usize,
  acts: usize, drec: usize, hn: usize, hprev: usize, dout: usize, dh: usize,
): void {
  const stateBytes = <usize>batch * f4(hidden);
  const rowBytes = f4(3 * hidden);
  const tape = <usize>t * stateBytes;
  const a = acts + <usize>t * <usize>batch * rowBytes;
  const d = drec + <usize>t * <usize>batch * rowBytes;
  const any = anyActive(lengths, b0, b1, t);
  for (let b = b0; b < b1; b++) {
    const seg = <usize>b * f4(hidden) + f4(u0);
    const wide = <usize>b * rowBytes + f4(u0);
    if (any && isActive(lengths, b, t)) {
      gruCellsBackward(a + wide, d + wide, hn + tape + seg, hprev + tape + seg, dout + tape + seg, dh + seg, units, hidden);
    } else {
      zeroSegments(a + wide, 3, units, hidden);
      zeroSegments(d + wide, 3, units, hidden);
    }
  }
}

export function gruBackward(p: usize, team: usize, tid: i32): void {
  const steps = param(p, P_STEPS);
  const batch = param(p, P_BATCH);
  const hidden = param(p, P_HIDDEN);
  const reverse = param(p, P_REVERSE) != 0;
  const lengths = pointer(p, P_LENGTHS);
  const whh = pointer(p, P_WHH);
  const acts = pointer(p, P_ACTS);
  const hn = pointer(p, P_AUX0);
  const hprev = pointer(p, P_AUX1);
  const dout = pointer(p, P_DOUT);
  const dh = pointer(p, P_DH);
  const scratch = pointer(p, P_SCRATCH);
  const width = 3 * hidden;
  const rowBytes = f4(width);
  const drec = scratch;
  const work = scratch + gruRecBytes(steps, batch, hidden);
  const units = chunkUnits(hidden);
  const threads = param(p, P_THREADS);
  const rows = blockRows(batch, threads);
  let phase = jobBase(p);

  if (claim(team, phase + 1) >= 0) {
    packPlain(whh, batch, width, hidden, work);
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
      gateGradients(last, b0, b1, u0, units, batch, hidden, lengths, acts, drec, hn, hprev, dout, dh);
    }
    for (let s = steps - 1; s >= 0; s--) {
      const t = timeAt(s, steps, reverse);
      const d = drec + <usize>t * <usize>batch * rowBytes;
      const any = anyActive(lengths, b0, b1, t);
      for (let u0 = 0; u0 < hidden; u0 += units) {
        if (any) plainColumns(d, whh, dh, batch, b0, b1, width, hidden, work, u0, units);
        if (s > 0) gateGradients(timeAt(s - 1, steps, reverse), b0, b1, u0, units, batch, hidden, lengths, acts, drec, hn, hprev, dout, dh);
      }
    }
    finish(team, tid);
  }
  barrier(team, end);
  if (param(p, P_WEIGHTS) != 0) {
    weightPhases(team, end, tid, drec, hprev, steps * batch, width, hidden, pointer(p, P_DWHH), pointer(p, P_DBHH), work);
  }
}
