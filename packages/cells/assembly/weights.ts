/**
 * The recurrent weight gradients of a whole sequence after the time loop (KERNELS.md, lessons
 * 5-6): `dW[G*H, H] = dG^T @ Hprev` as one product over all T*B rows, and `db = sum of dG`.
 * The rows of dW are cut into blocks that the team's threads claim: each block transposes its
 * columns of dG into the thread's scratch (so the product reads A row-major) and multiplies it
 * with Hprev, packed once; the bias gradient of those rows is the row sums of the same block.
 */
import { FLAG_ACCUMULATE, align64, f4, matmulBlock, matmulPack, packedPlainBytes } from './common';
import { transpose } from '../../tensor/assembly/simd';
import { barrier, claim, finish } from './team';

/** Rows of dW per claimed block. */
const BLOCK_ROWS: i32 = 32;

/**
 * Scratch bytes of {@link weightPhases} for `threads` threads (`input` > 0: with the second
 * operand x of `input` columns).
 */
export function weightScratchBytes(rows: i32, width: i32, hidden: i32, threads: i32, input: i32 = 0): usize {
  return packedPlainBytes(8, rows, hidden) + secondBytes(rows, input) + <usize>threads * blockBytes(rows, width);
}

/** Bytes of the packed second operand (0 without one). */
// @ts-ignore: decorator
@inline
function secondBytes(rows: i32, input: i32): usize {
  return input > 0 ? align64(packedPlainBytes(8, rows, input)) : 0;
}

/** Bytes of one thread's transposed block of dG. */
// @ts-ignore: decorator
@inline
function blockBytes(rows: i32, width: i32): usize {
  return align64(<usize>min(BLOCK_ROWS, width) * f4(rows) + 64);
}

/** out[i] = sum of row i of a `[m, k]`. */
function rowSums(a: usize, m: i32, k: i32, out: usize): void {
  const k4 = k & ~3;
  for (let i = 0; i < m; i++) {
    const row = a + <usize>i * f4(k);
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let p = 0;
    for (; p + 8 <= k4; p += 8) {
      s0 = f32x4.add(s0, v128.load(row + f4(p)));
      s1 = f32x4.add(s1, v128.load(row + f4(p + 4)));
    }
    for (; p < k4; p += 4) s0 = f32x4.add(s0, v128.load(row + f4(p)));
    const s = f32x4.add(s0, s1);
    let total = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
    for (; p < k; p++) total += load<f32>(row + f4(p));
    store<f32>(out + f4(i), total);
  }
}

/**
 * The phases computing `dw` `[width, hidden]` and `db` `[width]` from `grads` `[rows, width]`
 * and `hprev` `[rows, hidden]`, starting at item number `phase`; returns the next item number.
 * With a second operand `x` `[rows, input]` (x != 0), the same transposed blocks of `grads`
 * also give `dwx = grads^T @ x` `[width, input]`, and `dbx` a copy of db (the input weights of
 * a cell whose projected input and recurrent product have the same gradient: LSTM, RNN).
 */
export function weightPhases(
  team: usize, phase: i64, tid: i32,
  grads: usize, hprev: usize, rows: i32, width: i32, hidden: i32, dw: usize, db: usize, scratch: usize,
  x: usize = 0, input: i32 = 0, dwx: usize = 0, dbx: usize = 0,
): i64 {
  // Hprev (and x) are B of every block's product: pack them once (m = 8 forces packing; blocks
  // of at most 4 rows read them in place, which is the same layout).
  const packedX = scratch + packedPlainBytes(8, rows, hidden);
  const packs = x != 0 ? 2 : 1;
  for (;;) {
    const q = claim(team, phase + packs);
    if (q < 0) break;
    if (q == phase) matmulPack(0, hprev, 8, rows, hidden, 0, scratch);
    else matmulPack(0, x, 8, rows, input, 0, packedX);
    finish(team, tid);
  }
  barrier(team, phase + packs);
  phase += packs;
  const blocks = (width + BLOCK_ROWS - 1) / BLOCK_ROWS;
  const end = phase + blocks;
  const mine = packedX + secondBytes(rows, x != 0 ? input : 0) + <usize>tid * blockBytes(rows, width);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const i0 = <i32>(q - phase) * BLOCK_ROWS;
    const i1 = min(width, i0 + BLOCK_ROWS);
    const m = i1 - i0;
    transpose(grads + f4(i0), f4(width), rows, m, mine, f4(rows), 4); // columns [i0, i1) of dG as rows
    matmulBlock(mine, hprev, dw + <usize>i0 * f4(hidden), m, rows, hidden, 0, scratch, 0, m, 0, hidden);
    rowSums(mine, m, rows, db + f4(i0));
    if (x != 0) {
      matmulBlock(mine, x, dwx + <usize>i0 * f4(input), m, rows, input, 0, packedX, 0, m, 0, input);
      memory.copy(dbx + f4(i0), db + f4(i0), f4(m));
    }
    finish(team, tid);
  }
  barrier(team, end);
  return end;
}

/**
 * IndRNN: `dw[j] = sum over rows of grads[r, j] * hprev[r, j]` and `db[j] = sum of grads[r, j]`,
 * in column blocks the team claims; returns the next item number.
 */
export function diagonalWeightPhases(team: usize, phase: i64, tid: i32, grads: usize, hprev: usize, rows: i32, width: i32, dw: usize, db: usize): i64 {
  const blocks = (width + 15) / 16;
  const end = phase + blocks;
  const stride = f4(width);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const j0 = <i32>(q - phase) * 16;
    const j1 = min(width, j0 + 16);
    let j = j0;
    for (; j + 4 <= j1; j += 4) {
      let sw = f32x4.splat(0);
      let sb = sw;
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * stride + f4(j);
        const g = v128.load(grads + o);
        sw = f32x4.add(sw, f32x4.mul(g, v128.load(hprev + o)));
        sb = f32x4.add(sb, g);
      }
      v128.store(dw + f4(j), sw);
      v128.store(db + f4(j), sb);
    }
    for (; j < j1; j++) {
      let sw: f32 = 0;
      let sb: f32 = 0;
      for (let r = 0; r < rows; r++) {
        const o = <usize>r * stride + f4(j);
        const g = load<f32>(grads + o);
        sw += g * load<f32>(hprev + o);
        sb += g;
      }
      store<f32>(dw + f4(j), sw);
      store<f32>(db + f4(j), sb);
    }
    finish(team, tid);
  }
  barrier(team, end);
  return end;
}

export { FLAG_ACCUMULATE };
