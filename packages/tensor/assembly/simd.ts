/**
 * SIMD helpers shared by the kernels of tensor, cells and attention (the other two import this
 * file at compile time): FMA, partial vectors, 4 x 4 and strided transposes, horizontal max and sum. The same source is
 * compiled twice (see tools/build-wasm.js): once with `--enable simd` and once with
 * `--enable simd,relaxed-simd`; `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so each
 * build contains only one branch of `madd`.
 */

/** a * b + c on four f32 lanes: fused (relaxed-SIMD FMA) when the build allows it. */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/** Loads `count` (0..4) f32 lanes from `ptr`; the missing lanes are zero. */
// @ts-ignore: decorator
@inline
export function loadPartial(ptr: usize, count: i32): v128 {
  if (count >= 4) return v128.load(ptr);
  let v = f32x4.splat(0);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr, 8));
  return v;
}

/** Stores the first `count` (0..4) f32 lanes of `v` at `ptr`. */
// @ts-ignore: decorator
@inline
export function storePartial(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(ptr, v);
    return;
  }
  if (count > 0) store<f32>(ptr, f32x4.extract_lane(v, 0));
  storeLanes12(ptr, v, count);
}

/**
 * Stores the first `count` (1..4) f32 lanes of `v` at `ptr`: `storePartial` without the test
 * for 0, for loops whose every vector has a lane to store (the gate loops). That test, 8 times
 * in an LSTM's gate loop, cost batch-1 streaming ~30% (measured, one thread).
 */
// @ts-ignore: decorator
@inline
export function storeLanes(ptr: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(ptr, v);
    return;
  }
  store<f32>(ptr, f32x4.extract_lane(v, 0));
  storeLanes12(ptr, v, count);
}

/** Stores lanes 1 and 2 of `v` as far as `count` (< 4) reaches. */
// @ts-ignore: decorator
@inline
function storeLanes12(ptr: usize, v: v128, count: i32): void {
  if (count > 1) store<f32>(ptr, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(ptr, f32x4.extract_lane(v, 2), 8);
}

/** Clamps `w - offset` into 0..4: how many lanes of the vector at `offset` are valid. */
// @ts-ignore: decorator
@inline
export function lanes(w: i32, offset: i32): i32 {
  const r = w - offset;
  return r < 0 ? 0 : r > 4 ? 4 : r;
}

/**
 * `lanes` for an `offset` below `w` (1..4), without the clamp at 0: for loops whose every
 * vector has a lane to store (the gate loops, with `storeLanes`).
 */
// @ts-ignore: decorator
@inline
export function tailLanes(w: i32, offset: i32): i32 {
  const r = w - offset;
  return r > 4 ? 4 : r;
}

/**
 * Transposes the 4 x 4 block at `src` (row stride `lds` bytes) into `dst` (row stride `ldd`
 * bytes) with eight shuffles.
 */
// @ts-ignore: decorator
@inline
export function transpose4(src: usize, lds: usize, dst: usize, ldd: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + lds);
  const r2 = v128.load(src + 2 * lds);
  const r3 = v128.load(src + 3 * lds);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ldd, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ldd, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ldd, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * `dst[c, r] = src[r, c]` for `rows` x `cols` floats, rows `lds` bytes apart in `src` and `ldd`
 * bytes apart in `dst` (so a band of columns of a wider matrix transposes as well as a whole
 * one): 4 x 4 register transposes over bands of `band` columns (a multiple of 4), each band
 * row block by row block, scalar at the ragged edges. Bands of 64 keep the destination lines
 * being filled in L1 for whole matrices (matmul.ts); bands of 4 fill the destination rows front
 * to back, which for 32 columns of thousands of rows (weights.ts, dW blocks) measured ~5-9%
 * faster backward kernels than bands of 64.
 */
export function transpose(src: usize, lds: usize, rows: i32, cols: i32, dst: usize, ldd: usize, band: i32): void {
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let c0 = 0; c0 < cols4; c0 += band) {
    const c1 = min(cols4, c0 + band);
    for (let r = 0; r < rows4; r += 4) {
      for (let c = c0; c < c1; c += 4) {
        transpose4(src + <usize>r * lds + (<usize>c << 2), lds, dst + <usize>c * ldd + (<usize>r << 2), ldd);
      }
    }
  }
  // Ragged edges: the last cols % 4 columns of every row, then the last rows % 4 rows.
  for (let r = 0; r < rows; r++) {
    for (let c = cols4; c < cols; c++) {
      store<f32>(dst + <usize>c * ldd + (<usize>r << 2), load<f32>(src + <usize>r * lds + (<usize>c << 2)));
    }
  }
  for (let r = rows4; r < rows; r++) {
    for (let c = 0; c < cols4; c++) {
      store<f32>(dst + <usize>c * ldd + (<usize>r << 2), load<f32>(src + <usize>r * lds + (<usize>c << 2)));
    }
  }
}

/** The largest of four lanes. */
// @ts-ignore: decorator
@inline
export function hmax(v: v128): f32 {
  const a = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.pmax(a, i32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}

/** The sum of four lanes. */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  const a = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.add(a, i32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}
