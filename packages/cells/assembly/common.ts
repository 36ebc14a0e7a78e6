/**
 * Helpers shared by the fused recurrent kernels: masks from per-sequence lengths, the
 * recurrent products (the tensor package's 2 x 16 register-tiled matmul, reused at compile
 * time), packing and buffer sizes. (The lane bookkeeping for hidden sizes that are not a
 * multiple of 4 is the tensor package's simd.ts.)
 *
 * Conventions of every kernel in this folder:
 * - Pointers are byte offsets into linear memory; arrays are row-major float32.
 * - `lengths` points at B int32 lengths, or is 0 when every sequence has all T steps.
 * - Buffers are followed by at least 64 readable bytes: the gate loops load whole vectors
 *   past the end of a row when H is not a multiple of 4 (the extra lanes are never stored).
 */
import {
  matmulPack,
  matmulBlock,
  matmulScratchBytes,
  FLAG_TRANS_A,
  FLAG_TRANS_B,
  FLAG_ACCUMULATE,
} from '../../tensor/assembly/matmul';

export { FLAG_TRANS_A, FLAG_TRANS_B, FLAG_ACCUMULATE, matmulBlock, matmulPack };

/** Rounds a byte count up to 64 (a cache line). */
// @ts-ignore: decorator
@inline
export function align64(bytes: usize): usize {
  return (bytes + 63) & ~(<usize>63);
}

/** Byte offset of float `i`. */
// @ts-ignore: decorator
@inline
export function f4(i: i32): usize {
  return <usize>i << 2;
}

/** Whether batch row `b` is a real step at time `t` (padding trails each sequence). */
// @ts-ignore: decorator
@inline
export function isActive(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

/** Whether any of rows [b0, b1) is a real step at time `t`. */
export function anyActive(lengths: usize, b0: i32, b1: i32, t: i32): bool {
  if (lengths == 0) return true;
  for (let b = b0; b < b1; b++) if (t < load<i32>(lengths + (<usize>b << 2))) return true;
  return false;
}

/** Scratch bytes of the packed recurrent weight for the forward product `h @ W^T` (W `[n, k]`). */
export function packedTransposedBytes(batch: i32, k: i32, n: i32): usize {
  return align64(matmulScratchBytes(batch, k, n, FLAG_TRANS_B | FLAG_ACCUMULATE, true));
}

/** Scratch bytes of the packed weight for the backward product `dG @ W` (W `[k, n]`). */
export function packedPlainBytes(batch: i32, k: i32, n: i32): usize {
  return align64(matmulScratchBytes(batch, k, n, FLAG_ACCUMULATE, true));
}

/** Packs W `[n, k]` once for many products `C[B, n] (+)= A[B, k] @ W^T`. */
export function packTransposed(w: usize, batch: i32, k: i32, n: i32, scratch: usize): void {
  matmulPack(0, w, batch, k, n, FLAG_TRANS_B | FLAG_ACCUMULATE, scratch);
}

/** Packs W `[k, n]` once for many products `C[B, n] += A[B, k] @ W` (a no-op for B <= 4: read in place). */
export function packPlain(w: usize, batch: i32, k: i32, n: i32, scratch: usize): void {
  matmulPack(0, w, batch, k, n, FLAG_ACCUMULATE, scratch);
}

/** Time index of processing step `s` of `steps` (the reverse direction runs T-1 down to 0). */
// @ts-ignore: decorator
@inline
export function timeAt(s: i32, steps: i32, reverse: bool): i32 {
  return reverse ? steps - 1 - s : s;
}

/**
 * Rows [b0, b1) of the product columns of hidden units [u0, u0 + units) of every gate block:
 * `C[b, g*H + u0 ..] (+)= A[b] @ W^T` for each of `gates` blocks of H columns (W packed by
 * `packTransposed` for `batch` rows), or the whole width in one call when the chunk is all of H.
 */
// @ts-ignore: decorator
@inline
export function gateColumns(a: usize, w: usize, c: usize, batch: i32, b0: i32, b1: i32, k: i32, width: i32, scratch: usize, u0: i32, units: i32, hidden: i32, gates: i32, flags: i32): void {
  if (units == hidden) {
    matmulBlock(a, w, c, batch, k, width, flags, scratch, b0, b1, 0, width);
  } else {
    for (let g = 0; g < gates; g++) {
      const j0 = g * hidden + u0;
      matmulBlock(a, w, c, batch, k, width, flags, scratch, b0, b1, j0, j0 + units);
    }
  }
}

/**
 * Rows [b0, b1) of `C[:, u0 .. u0 + units) += A[B, k] @ W[k, n]` (W packed by `packPlain` for
 * `batch` rows, or read in place when batch <= 4).
 */
// @ts-ignore: decorator
@inline
export function plainColumns(a: usize, w: usize, c: usize, batch: i32, b0: i32, b1: i32, k: i32, n: i32, scratch: usize, u0: i32, units: i32): void {
  matmulBlock(a, w, c, batch, k, n, FLAG_ACCUMULATE, scratch, b0, b1, u0, u0 + units);
}

/** Zeroes `gates` segments of `units` floats, `stride` floats apart, from `ptr`. */
// @ts-ignore: decorator
@inline
export function zeroSegments(ptr: usize, gates: i32, units: i32, stride: i32): void {
  for (let g = 0; g < gates; g++) memory.fill(ptr + f4(g * stride), 0, f4(units));
}
