/**
 * SIMD helpers shared by every kernel. The same source is compiled twice (see
 * tools/build-wasm.js): once with `--enable simd` and once with `--enable simd,relaxed-simd`;
 * `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so each build contains only one
 * branch of `madd`.
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
