/**
 * The input projection inside the fused call, for a dense input `x` `[T, B, I]` (job
 * parameters X, INPUT, WIH, BIH; DX, DWIH, DBIH in backward: team.ts):
 *
 * - forward, before the time loop: `acts[T*B, G*H] = x @ W_ih^T + b_ih` as one product over
 *   all T*B rows (DESIGN.md: "precompute the input projection for all time steps in one large
 *   product"), W_ih packed once (`packInput`, 16-column strips, the tensor package's 2 x 16
 *   register-tiled micro-kernel), rows cut into blocks the team's threads claim;
 * - backward, after the time loop, from the gradient of the projected input (the buffer the
 *   gate code filled, `[T*B, G*H]`): `dW_ih = dG^T @ x` and `db_ih` as one product over all
 *   rows (weights.ts `weightPhases`, with x in place of the states), and, when the input needs
 *   a gradient, `dx[T*B, I] = dG @ W_ih`, W_ih packed once, rows in blocks.
 *
 * I need not be a multiple of 4 (the products handle any k and n).
 */
import { FLAG_ACCUMULATE, FLAG_TRANS_B, align64, f4, matmulBlock, matmulPack, packedPlainBytes, packedTransposedBytes } from './common';
import { weightPhases, weightScratchBytes } from './weights';
import { barrier, claim, finish } from './team';

/** Rows of the projection (and of dx) per claimed item: 32 rows of G*H floats stay in L2. */
const ROWS: i32 = 32;

/** Scratch bytes of the packed `W_ih^T` of the forward projection. */
export function projectionScratchBytes(rows: i32, input: i32, width: i32): usize {
  return packedTransposedBytes(rows, input, width);
}

/** Packs `W_ih` `[width, input]` for {@link projectionPhases} (one thread, before them). */
export function packInput(wih: usize, rows: i32, input: i32, width: i32, scratch: usize): void {
  matmulPack(0, wih, rows, input, width, FLAG_TRANS_B | FLAG_ACCUMULATE, scratch);
}

/**
 * `acts[rows, width] = x[rows, input] @ W_ih^T + bih` (bih 0: no bias) with W_ih packed by
 * {@link packInput} into `packed`, in blocks of rows the team claims from item `phase`;
 * returns the next item number.
 */
export function projectionPhases(team: usize, phase: i64, tid: i32, x: usize, rows: i32, input: i32, width: i32, packed: usize, bih: usize, acts: usize): i64 {
  const end = phase + (rows + ROWS - 1) / ROWS;
  const rowBytes = f4(width);
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const r0 = <i32>(q - phase) * ROWS;
    const r1 = min(rows, r0 + ROWS);
    // Each row starts as the bias, and the product adds into it while the rows are in cache.
    for (let r = r0; r < r1; r++) {
      const row = acts + <usize>r * rowBytes;
      if (bih != 0) memory.copy(row, bih, rowBytes);
      else memory.fill(row, 0, rowBytes);
    }
    matmulBlock(x, 0, acts, rows, input, width, FLAG_TRANS_B | FLAG_ACCUMULATE, packed, r0, r1, 0, width);
    finish(team, tid);
  }
  barrier(team, end);
  return end;
}

/**
 * Scratch bytes of {@link inputGradientPhases} for `threads` threads (`hidden` > 0: dW_ih taken
 * with dW_hh in one pass, `weightPhases` with a second operand).
 */
export function inputGradientScratchBytes(rows: i32, width: i32, input: i32, threads: i32, hidden: i32): usize {
  const weights = hidden > 0 ? weightScratchBytes(rows, width, hidden, threads, input) : weightScratchBytes(rows, width, input, threads);
  return max(weights, align64(packedPlainBytes(rows, width, input)));
}

/**
 * The input's gradients from `grads` `[rows, width]` (the gradient of the projected input):
 * `dwih` `[width, input]` and `dbih` `[width]` (when dwih != 0: pass 0 when the weight phases
 * already computed them) from `x` `[rows, input]`, and `dx` `[rows, input]` (when dx != 0) from
 * `wih` `[width, input]`; phases from item `phase`, returns the next item number.
 */
export function inputGradientPhases(
  team: usize, phase: i64, tid: i32,
  grads: usize, rows: i32, width: i32, input: i32, x: usize, wih: usize, dx: usize, dwih: usize, dbih: usize, scratch: usize,
): i64 {
  if (dwih != 0) phase = weightPhases(team, phase, tid, grads, x, rows, width, input, dwih, dbih, scratch);
  if (dx == 0) return phase;
  if (claim(team, phase + 1) >= 0) {
    matmulPack(0, wih, rows, width, input, 0, scratch); // W_ih [width, input] as 16-column strips
    finish(team, tid);
  }
  barrier(team, phase + 1);
  phase += 1;
  const end = phase + (rows + ROWS - 1) / ROWS;
  for (;;) {
    const q = claim(team, end);
    if (q < 0) break;
    const r0 = <i32>(q - phase) * ROWS;
    const r1 = min(rows, r0 + ROWS);
    matmulBlock(grads, wih, dx, rows, width, input, 0, scratch, r0, r1, 0, input);
    finish(team, tid);
  }
  barrier(team, end);
  return end;
}
