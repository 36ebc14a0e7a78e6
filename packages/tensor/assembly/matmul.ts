/**
 * Blocked, register-tiled float32 matrix product: C[m, n] (+)= A[m, k] @ B[k, n].
 *
 * Layout (all pointers are byte offsets into linear memory, arrays row-major):
 * - B is first packed into 16-column strips: strip s holds B[p][16s .. 16s+15] for every p,
 *   16 floats per p, zero-padded past column n. So the inner loop reads B contiguously, the
 *   edge strip needs no masking on B, and `transB` costs nothing extra (it only changes how
 *   the packing reads B).
 * - With `transA`, A ([k, m] in memory) is transposed into row-major [m, k] scratch.
 * - The micro-kernel computes a 2-row x 16-column tile of C in 8 v128 accumulators (V8 gives
 *   WebAssembly 16 SIMD registers: 8 accumulators + 4 B vectors + 2 A splats fit; 1x16 and 4x4
 *   tiles with 16 accumulators spill). K is blocked by KC so one B strip block (KC x 16 floats
 *   = 16 KiB) stays in L1 while a block of MC rows streams past it, and M is blocked by MC so
 *   that A block (128 KiB) stays in L2 while every strip passes (worth +8% at 1024^3).
 * - The last row of an odd m uses a 1 x 16 tile; the last strip of an n that is not a multiple
 *   of 16 loads/stores C with partial vectors.
 *
 * The work is split into `matmulPack` (single-threaded) and `matmulBlock` (any block of rows
 * x 16-column strips), so threads sharing one memory can each compute blocks of C.
 */
import { madd, loadPartial, storePartial, lanes, transpose, transpose4 } from './simd';

/** Option bits of the `flags` argument (mirrored in src/backend/wasm-abi.ts). */
export const FLAG_TRANS_A: i32 = 1;
export const FLAG_TRANS_B: i32 = 2;
export const FLAG_ACCUMULATE: i32 = 4;

/** Columns per register tile (4 vectors of 4 floats). */
const NR: i32 = 16;
/** K block: one packed B block is KC x NR floats = 16 KiB, half of L1 (128: ~same, 384: ~same). */
const KC: i32 = 256;
/** Row block (even): the A block (MC x KC floats) stays in L2 while every strip passes. */
const MC: i32 = 128;

/** Number of 16-column strips of B. */
// @ts-ignore: decorator
@inline
function stripCount(n: i32): i32 {
  return (n + NR - 1) >> 4;
}

/**
 * Products with at most this many rows (and B not transposed) read B in place instead of
 * packing it: with so few rows each B element is used once or twice, so the packing pass
 * costs more than it saves. [1 x 128] x [128 x 512]: 13.0 -> 5.7 us.
 */
const M_DIRECT: i32 = 4;

/** Whether the product reads B in place (see M_DIRECT). */
// @ts-ignore: decorator
@inline
function isDirect(m: i32, flags: i32): bool {
  return (flags & FLAG_TRANS_B) == 0 && m <= M_DIRECT;
}

/**
 * Products narrower than this (n < N_SWAP, with m at least N_SWAP) are computed transposed,
 * C^T = B^T A^T, so that the long side m runs along the 16-wide tiles instead of padding n to
 * 16. [128 x 128] x [128 x 1]: 12.9 -> 1.5 us.
 */
const N_SWAP: i32 = 16;

/** Whether `matmul` computes the product transposed (see N_SWAP). */
// @ts-ignore: decorator
@inline
function isSwapped(m: i32, n: i32): bool {
  return n < N_SWAP && m >= N_SWAP;
}

/** Bytes of packed B in the scratch area (0 when B is read in place). */
// @ts-ignore: decorator
@inline
function packedBBytes(m: i32, k: i32, n: i32, flags: i32): usize {
  return isDirect(m, flags) ? 0 : <usize>stripCount(n) * <usize>k * <usize>(NR * 4);
}

/** Bytes of scratch `matmulPack` / `matmulBlock` need: packed B, then packed A for `transA`. */
function packScratchBytes(m: i32, k: i32, n: i32, flags: i32): usize {
  let bytes = packedBBytes(m, k, n, flags);
  if (flags & FLAG_TRANS_A) bytes += <usize>m * <usize>k * 4;
  return bytes;
}

/** Flags of the transposed product C^T = B^T A^T (see N_SWAP). */
// @ts-ignore: decorator
@inline
function swappedFlags(flags: i32): i32 {
  return (flags & FLAG_TRANS_B ? 0 : FLAG_TRANS_A) | (flags & FLAG_TRANS_A ? 0 : FLAG_TRANS_B) | (flags & FLAG_ACCUMULATE);
}

/**
 * Bytes of scratch a product needs. With `threaded` the size for `matmulPack` + `matmulBlock`
 * (never swapped), else for `matmul` (which may swap: then also room for C^T).
 */
export function matmulScratchBytes(m: i32, k: i32, n: i32, flags: i32, threaded: bool): usize {
  if (!threaded && isSwapped(m, n)) {
    return packScratchBytes(n, k, m, swappedFlags(flags)) + ((<usize>m * <usize>n * 4 + 63) & ~63);
  }
  return packScratchBytes(m, k, n, flags);
}

/** Packs B (unless it is read in place) and A for `transA` into `scratch`. Call once before `matmulBlock`. */
export function matmulPack(a: usize, b: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize): void {
  if (!isDirect(m, flags)) packB(b, k, n, (flags & FLAG_TRANS_B) != 0, scratch);
  if (flags & FLAG_TRANS_A) transposeWhole(a, k, m, scratch + packedBBytes(m, k, n, flags));
}

/**
 * Computes the block rows [i0, i1) x columns [j0, j1) of C from the operands prepared by
 * `matmulPack`. `j0` must be a multiple of 16 (a strip boundary); `j1` a multiple of 16 or n.
 * Blocks of different calls may run concurrently on a shared memory as long as they do not
 * overlap.
 */
export function matmulBlock(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize,
  i0: i32, i1: i32, j0: i32, j1: i32,
): void {
  const accumulate = (flags & FLAG_ACCUMULATE) != 0;
  const ldc = <usize>n << 2;
  if (k == 0) {
    if (!accumulate) {
      for (let i = i0; i < i1; i++) memory.fill(c + <usize>i * ldc + (<usize>j0 << 2), 0, <usize>(j1 - j0) << 2);
    }
    return;
  }
  const direct = isDirect(m, flags);
  const aBase = flags & FLAG_TRANS_A ? scratch + packedBBytes(m, k, n, flags) : a;
  const lda = <usize>k << 2;
  // B rows: 16 floats apart in a packed strip, n floats apart in place.
  const ldb: usize = direct ? <usize>n << 2 : <usize>(NR * 4);
  const s0 = j0 >> 4;
  const s1 = stripCount(j1);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const load = accumulate || p0 > 0;
    for (let ib = i0; ib < i1; ib += MC) {
      const ie = min(i1, ib + MC);
      for (let s = s0; s < s1; s++) {
        const j = s << 4;
        const w = min(NR, n - j);
        const pb = direct
          ? b + <usize>p0 * ldb + (<usize>j << 2)
          : scratch + (<usize>s * <usize>k + <usize>p0) * <usize>(NR * 4);
        let i = ib;
        for (; i + 1 < ie; i += 2) {
          const pa = aBase + <usize>i * lda + (<usize>p0 << 2);
          const pc = c + <usize>i * ldc + (<usize>j << 2);
          tile2(pa, lda, pb, ldb, kc, pc, ldc, w, load);
        }
        if (i < ie) {
          const pa = aBase + <usize>i * lda + (<usize>p0 << 2);
          const pc = c + <usize>i * ldc + (<usize>j << 2);
          tile1(pa, pb, ldb, kc, pc, w, load);
        }
      }
    }
  }
}

/**
 * Whole product on one thread: pack, then every row -- or, for a narrow n (see N_SWAP), the
 * transposed product C^T = B^T A^T into scratch, transposed back into C.
 * B must be followed by at least 64 readable bytes (the in-place path reads whole vectors at
 * the end of a row; the lanes past n are discarded).
 */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize): void {
  if (isSwapped(m, n)) {
    const ct = scratch;
    const inner = scratch + ((<usize>m * <usize>n * 4 + 63) & ~63);
    const f = swappedFlags(flags);
    if (flags & FLAG_ACCUMULATE) transposeWhole(c, m, n, ct);
    matmulPack(b, a, n, k, m, f, inner);
    matmulBlock(b, a, ct, n, k, m, f, inner, 0, n, 0, m);
    transposeWhole(ct, n, m, c);
    return;
  }
  matmulPack(a, b, m, k, n, flags, scratch);
  matmulBlock(a, b, c, m, k, n, flags, scratch, 0, m, 0, n);
}

/**
 * 2 x 16 tile: C[i..i+1][j..j+w) (+)= A[i..i+1][p0..p0+kc) @ B[p0..p0+kc)[j..j+16).
 * `pa` points at A[i][p0], `lda` is the A row stride in bytes, `pb` at B[p0][j] (packed or
 * in place), `ldb` the B row stride in bytes (64 when packed),
 * `pc` at C[i][j], `ldc` the C row stride in bytes. `w` (1..16) valid columns; `load` adds
 * into the existing C values instead of starting from zero.
 */
// @ts-ignore: decorator
@inline
function tile2(pa: usize, lda: usize, pb: usize, ldb: usize, kc: i32, pc: usize, ldc: usize, w: i32, load: bool): void {
  const pc1 = pc + ldc;
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  if (load) {
    if (w == NR) {
      c00 = v128.load(pc); c01 = v128.load(pc, 16); c02 = v128.load(pc, 32); c03 = v128.load(pc, 48);
      c10 = v128.load(pc1); c11 = v128.load(pc1, 16); c12 = v128.load(pc1, 32); c13 = v128.load(pc1, 48);
    } else {
      c00 = loadPartial(pc, lanes(w, 0)); c01 = loadPartial(pc + 16, lanes(w, 4));
      c02 = loadPartial(pc + 32, lanes(w, 8)); c03 = loadPartial(pc + 48, lanes(w, 12));
      c10 = loadPartial(pc1, lanes(w, 0)); c11 = loadPartial(pc1 + 16, lanes(w, 4));
      c12 = loadPartial(pc1 + 32, lanes(w, 8)); c13 = loadPartial(pc1 + 48, lanes(w, 12));
    }
  }
  let a0 = pa;
  let a1 = pa + lda;
  let b = pb;
  const end = pb + <usize>kc * ldb;
  while (b < end) {
    const x0 = v128.load32_splat(a0);
    const x1 = v128.load32_splat(a1);
    const b0 = v128.load(b);
    c00 = madd(x0, b0, c00);
    c10 = madd(x1, b0, c10);
    const b1 = v128.load(b, 16);
    c01 = madd(x0, b1, c01);
    c11 = madd(x1, b1, c11);
    const b2 = v128.load(b, 32);
    c02 = madd(x0, b2, c02);
    c12 = madd(x1, b2, c12);
    const b3 = v128.load(b, 48);
    c03 = madd(x0, b3, c03);
    c13 = madd(x1, b3, c13);
    a0 += 4;
    a1 += 4;
    b += ldb;
  }
  if (w == NR) {
    v128.store(pc, c00); v128.store(pc, c01, 16); v128.store(pc, c02, 32); v128.store(pc, c03, 48);
    v128.store(pc1, c10); v128.store(pc1, c11, 16); v128.store(pc1, c12, 32); v128.store(pc1, c13, 48);
  } else {
    storePartial(pc, c00, lanes(w, 0)); storePartial(pc + 16, c01, lanes(w, 4));
    storePartial(pc + 32, c02, lanes(w, 8)); storePartial(pc + 48, c03, lanes(w, 12));
    storePartial(pc1, c10, lanes(w, 0)); storePartial(pc1 + 16, c11, lanes(w, 4));
    storePartial(pc1 + 32, c12, lanes(w, 8)); storePartial(pc1 + 48, c13, lanes(w, 12));
  }
}

/**
 * 1 x 16 tile for the last row of an odd row count; arguments as in `tile2`. Also the 1-row
 * product of the streaming kernels (cells/assembly/stream.ts) over a `[kc, 16]` panel (`ldb` 64).
 */
// @ts-ignore: decorator
@inline
export function tile1(pa: usize, pb: usize, ldb: usize, kc: i32, pc: usize, w: i32, load: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  if (load) {
    c0 = loadPartial(pc, lanes(w, 0)); c1 = loadPartial(pc + 16, lanes(w, 4));
    c2 = loadPartial(pc + 32, lanes(w, 8)); c3 = loadPartial(pc + 48, lanes(w, 12));
  }
  let a0 = pa;
  let b = pb;
  const end = pb + <usize>kc * ldb;
  while (b < end) {
    const x0 = v128.load32_splat(a0);
    c0 = madd(x0, v128.load(b), c0);
    c1 = madd(x0, v128.load(b, 16), c1);
    c2 = madd(x0, v128.load(b, 32), c2);
    c3 = madd(x0, v128.load(b, 48), c3);
    a0 += 4;
    b += ldb;
  }
  storePartial(pc, c0, lanes(w, 0)); storePartial(pc + 16, c1, lanes(w, 4));
  storePartial(pc + 32, c2, lanes(w, 8)); storePartial(pc + 48, c3, lanes(w, 12));
}

/**
 * Packs B into 16-column strips (see the file comment). With `transB`, B is stored [n, k] and
 * element (p, j) is read from b[j * k + p]: 4 x 4 blocks are transposed in registers.
 */
function packB(b: usize, k: i32, n: i32, transB: bool, dst: usize): void {
  const strips = stripCount(n);
  const zero = f32x4.splat(0);
  for (let s = 0; s < strips; s++) {
    const j0 = s << 4;
    const w = min(NR, n - j0);
    const d = dst + <usize>s * <usize>k * <usize>(NR * 4);
    if (!transB) {
      const ldb = <usize>n << 2;
      let src = b + (<usize>j0 << 2);
      if (w == NR) {
        for (let p = 0; p < k; p++) {
          const o = d + (<usize>p << 6);
          v128.store(o, v128.load(src));
          v128.store(o, v128.load(src, 16), 16);
          v128.store(o, v128.load(src, 32), 32);
          v128.store(o, v128.load(src, 48), 48);
          src += ldb;
        }
      } else {
        for (let p = 0; p < k; p++) {
          const o = d + (<usize>p << 6);
          v128.store(o, zero); v128.store(o, zero, 16); v128.store(o, zero, 32); v128.store(o, zero, 48);
          for (let jj = 0; jj < w; jj++) store<f32>(o + (<usize>jj << 2), load<f32>(src + (<usize>jj << 2)));
          src += ldb;
        }
      }
    } else {
      if (w < NR) memory.fill(d, 0, <usize>k * <usize>(NR * 4));
      const ldb = <usize>k << 2;
      const k4 = k & ~3;
      let jj = 0;
      for (; jj + 4 <= w; jj += 4) {
        const src = b + <usize>(j0 + jj) * ldb;
        const o = d + (<usize>jj << 2);
        for (let p = 0; p < k4; p += 4) {
          transpose4(src + (<usize>p << 2), ldb, o + (<usize>p << 6), NR * 4);
        }
        for (let p = k4; p < k; p++) {
          for (let r = 0; r < 4; r++) {
            store<f32>(o + (<usize>p << 6) + (<usize>r << 2), load<f32>(src + <usize>r * ldb + (<usize>p << 2)));
          }
        }
      }
      for (; jj < w; jj++) {
        let src = b + (<usize>(j0 + jj) * ldb);
        let o = d + (<usize>jj << 2);
        for (let p = 0; p < k; p++) {
          store<f32>(o, load<f32>(src));
          src += 4;
          o += 64;
        }
      }
    }
  }
}

/** dst[cols, rows] = the transpose of src[rows, cols] (simd.ts `transpose` on whole matrices). */
// @ts-ignore: decorator
@inline
function transposeWhole(src: usize, rows: i32, cols: i32, dst: usize): void {
  transpose(src, <usize>cols << 2, rows, cols, dst, <usize>rows << 2, 64);
}
