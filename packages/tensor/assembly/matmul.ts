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
 *   = 8 KiB) stays in L1 while every row pair streams past it.
 * - The last row of an odd m uses a 1 x 16 tile; the last strip of an n that is not a multiple
 *   of 16 loads/stores C with partial vectors.
 *
 * The work is split into `matmulPack` (single-threaded) and `matmulRows` (any row range), so
 * two threads sharing one memory can each compute half of the rows.
 */
import { madd, loadPartial, storePartial, lanes } from './simd';

/** Option bits of the `flags` argument (mirrored in src/backend/wasm-abi.ts). */
export const FLAG_TRANS_A: i32 = 1;
export const FLAG_TRANS_B: i32 = 2;
export const FLAG_ACCUMULATE: i32 = 4;

/** Columns per register tile (4 vectors of 4 floats). */
const NR: i32 = 16;
/** K block: one packed B block is KC x NR floats = 8 KiB. */
const KC: i32 = 256;

/** Number of 16-column strips of B. */
// @ts-ignore: decorator
@inline
function stripCount(n: i32): i32 {
  return (n + NR - 1) >> 4;
}

/** Bytes of scratch `matmulPack` / `matmulRows` need: packed B, then packed A for `transA`. */
export function matmulScratchBytes(m: i32, k: i32, n: i32, flags: i32): usize {
  let bytes = <usize>stripCount(n) * <usize>k * <usize>(NR * 4);
  if (flags & FLAG_TRANS_A) bytes += <usize>m * <usize>k * 4;
  return bytes;
}

/** Packs B (and A for `transA`) into `scratch`. Call once before `matmulRows`. */
export function matmulPack(a: usize, b: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize): void {
  packB(b, k, n, (flags & FLAG_TRANS_B) != 0, scratch);
  if (flags & FLAG_TRANS_A) {
    transpose(a, k, m, scratch + <usize>stripCount(n) * <usize>k * <usize>(NR * 4));
  }
}

/**
 * Computes rows [i0, i1) of C from the packed operands. Row ranges of different calls may
 * run concurrently on a shared memory as long as they do not overlap.
 */
export function matmulRows(
  a: usize, c: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize, i0: i32, i1: i32,
): void {
  const accumulate = (flags & FLAG_ACCUMULATE) != 0;
  const ldc = <usize>n << 2;
  if (k == 0) {
    if (!accumulate) memory.fill(c + <usize>i0 * ldc, 0, <usize>(i1 - i0) * ldc);
    return;
  }
  const strips = stripCount(n);
  const aBase = flags & FLAG_TRANS_A ? scratch + <usize>strips * <usize>k * <usize>(NR * 4) : a;
  const lda = <usize>k << 2;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const load = accumulate || p0 > 0;
    for (let s = 0; s < strips; s++) {
      const j = s << 4;
      const w = min(NR, n - j);
      const pb = scratch + (<usize>s * <usize>k + <usize>p0) * <usize>(NR * 4);
      let i = i0;
      for (; i + 1 < i1; i += 2) {
        const pa = aBase + <usize>i * lda + (<usize>p0 << 2);
        const pc = c + <usize>i * ldc + (<usize>j << 2);
        tile2(pa, lda, pb, kc, pc, ldc, w, load);
      }
      if (i < i1) {
        const pa = aBase + <usize>i * lda + (<usize>p0 << 2);
        const pc = c + <usize>i * ldc + (<usize>j << 2);
        tile1(pa, pb, kc, pc, w, load);
      }
    }
  }
}

/** Whole product on one thread: pack, then every row. */
export function matmul(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, flags: i32, scratch: usize): void {
  matmulPack(a, b, m, k, n, flags, scratch);
  matmulRows(a, c, m, k, n, flags, scratch, 0, m);
}

/**
 * 2 x 16 tile: C[i..i+1][j..j+w) (+)= A[i..i+1][p0..p0+kc) @ packedB block.
 * `pa` points at A[i][p0], `lda` is the A row stride in bytes, `pb` at the packed block,
 * `pc` at C[i][j], `ldc` the C row stride in bytes. `w` (1..16) valid columns; `load` adds
 * into the existing C values instead of starting from zero.
 */
// @ts-ignore: decorator
@inline
function tile2(pa: usize, lda: usize, pb: usize, kc: i32, pc: usize, ldc: usize, w: i32, load: bool): void {
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
  const end = pb + (<usize>kc << 6);
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
    b += 64;
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

/** 1 x 16 tile for the last row of an odd row count; arguments as in `tile2`. */
// @ts-ignore: decorator
@inline
function tile1(pa: usize, pb: usize, kc: i32, pc: usize, w: i32, load: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  if (load) {
    c0 = loadPartial(pc, lanes(w, 0)); c1 = loadPartial(pc + 16, lanes(w, 4));
    c2 = loadPartial(pc + 32, lanes(w, 8)); c3 = loadPartial(pc + 48, lanes(w, 12));
  }
  let a0 = pa;
  let b = pb;
  const end = pb + (<usize>kc << 6);
  while (b < end) {
    const x0 = v128.load32_splat(a0);
    c0 = madd(x0, v128.load(b), c0);
    c1 = madd(x0, v128.load(b, 16), c1);
    c2 = madd(x0, v128.load(b, 32), c2);
    c3 = madd(x0, v128.load(b, 48), c3);
    a0 += 4;
    b += 64;
  }
  storePartial(pc, c0, lanes(w, 0)); storePartial(pc + 16, c1, lanes(w, 4));
  storePartial(pc + 32, c2, lanes(w, 8)); storePartial(pc + 48, c3, lanes(w, 12));
}

/**
 * Packs B into 16-column strips (see the file comment). With `transB`, B is stored [n, k] and
 * element (p, j) is read from b[j * k + p].
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
      for (let jj = 0; jj < w; jj++) {
        let src = b + (<usize>(j0 + jj) * <usize>k << 2);
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

/** dst[cols, rows] = transpose of src[rows, cols], in 16 x 16 blocks to stay in cache. */
function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let r0 = 0; r0 < rows; r0 += 16) {
    const r1 = min(rows, r0 + 16);
    for (let c0 = 0; c0 < cols; c0 += 16) {
      const c1 = min(cols, c0 + 16);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>c) << 2)));
        }
      }
    }
  }
}
