/**
 * SIMD helpers of the fused attention kernels: FMA (relaxed-SIMD where the build allows it),
 * a vector exp. Self-contained (the layering rules let only cells compile against tensor's
 * assembly); `vexp` is the Cephes-style approximation of packages/tensor/assembly/math.ts
 * (relative error ~1e-7), written again here.
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

/** Broadcasts entry `i` of the f32 (or i32) table at `table` to four lanes (one load, unlike v128.const). */
// @ts-ignore: decorator
@inline
function k(table: usize, i: i32): v128 {
  return v128.load32_splat(table + (<usize>i << 2));
}

const EXP: usize = memory.data<f32>([
  -104.0, // 0: lower clamp
  88.8, // 1: upper clamp
  1.44269504088896341, // 2: log2(e)
  12582912.0, // 3: 1.5 * 2^23, the rounding magic number
  -0.693359375, // 4: -ln2 high part
  2.12194440e-4, // 5: -ln2 low part
  1.9875691500e-4, // 6..11: polynomial, highest degree first
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
  1.0, // 12
]);
const I127: usize = memory.data<i32>([127]);

/** e^x on four lanes (x = n ln2 + r, a degree-6 polynomial for e^r, 2^n as two factors). */
// @ts-ignore: decorator
@inline
export function vexp(v: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(v, k(EXP, 0)), k(EXP, 1));
  const t = madd(x, k(EXP, 2), k(EXP, 3));
  const magic = k(EXP, 3);
  const fn = f32x4.sub(t, magic);
  const n = i32x4.sub(t, magic);
  let r = madd(fn, k(EXP, 4), x);
  r = madd(fn, k(EXP, 5), r);
  let p = k(EXP, 6);
  p = madd(p, r, k(EXP, 7));
  p = madd(p, r, k(EXP, 8));
  p = madd(p, r, k(EXP, 9));
  p = madd(p, r, k(EXP, 10));
  p = madd(p, r, k(EXP, 11));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), k(EXP, 12));
  const bias = k(I127, 0);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
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
