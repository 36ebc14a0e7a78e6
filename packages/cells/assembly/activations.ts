/**
 * sigmoid and tanh for the gates, four lanes at a time, cheaper than the general-purpose
 * versions in the tensor package's math.ts (which handle the whole float range exactly down to
 * the denormals): both need only e^y for y <= 0, so the exponent scaling is a single integer
 * add (y is clamped at -87, where e^y = 1.6e-38 is still a normal number; the true value is
 * smaller still, so the absolute error there is below 2e-38). Relative error elsewhere is about
 * 2e-7 (a few ulp), like math.ts.
 *
 * Constants are splat-loaded from a table (one instruction) rather than written as v128.const
 * (several instructions each inside a loop), as in math.ts.
 */
import { madd } from '../../tensor/assembly/simd';

const C: usize = memory.data<f32>([
  -87.0, // 0: clamp of the exponent argument
  1.44269504088896341, // 1: log2(e)
  12582912.0, // 2: 1.5 * 2^23, round-to-nearest magic number
  -0.693359375, // 3: -ln2, high part
  2.12194440e-4, // 4: -ln2, low part
  1.9875691500e-4, // 5..10: e^r polynomial (Cephes expf), highest degree first
  1.3981999507e-3,
  8.3334519073e-3,
  4.1665795894e-2,
  1.6666665459e-1,
  5.0000001201e-1,
  1.0, // 11
  -5.70498872745e-3, // 12..16: tanh polynomial in x^2 (Cephes tanhf), for |x| < 0.625
  2.06390887954e-2,
  -5.37397155531e-2,
  1.33314422036e-1,
  -3.33332819422e-1,
  0.625, // 17
  -2.0, // 18
  0.0, // 19
]);
/** i32 lanes: 0 the sign bit, 1 the exponent bias. */
const I: usize = memory.data<i32>([0x80000000, 127]);

// @ts-ignore: decorator
@inline
function k(i: i32): v128 {
  return v128.load32_splat(C + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function ki(i: i32): v128 {
  return v128.load32_splat(I + (<usize>i << 2));
}

/** e^y for y <= 0 (y < -87 is taken as -87). */
// @ts-ignore: decorator
@inline
function expNonPositive(y: v128): v128 {
  const x = f32x4.pmax(y, k(0)); // y first: NaN passes through
  const magic = k(2);
  const t = madd(x, k(1), magic);
  const fn = f32x4.sub(t, magic);
  const n = i32x4.sub(t, magic); // the rounded integer, in the low mantissa bits
  let r = madd(fn, k(3), x);
  r = madd(fn, k(4), r);
  let p = k(5);
  p = madd(p, r, k(6));
  p = madd(p, r, k(7));
  p = madd(p, r, k(8));
  p = madd(p, r, k(9));
  p = madd(p, r, k(10));
  const e = f32x4.add(madd(p, f32x4.mul(r, r), r), k(11));
  return f32x4.mul(e, i32x4.shl(i32x4.add(n, ki(1)), 23));
}

/** 1 / (1 + e^-x): from e = e^-|x|, 1 / (1 + e) for x >= 0 and e / (1 + e) below. */
// @ts-ignore: decorator
@inline
export function gateSigmoid(x: v128): v128 {
  const e = expNonPositive(v128.or(x, ki(0)));
  const s = f32x4.div(k(11), f32x4.add(k(11), e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, k(19)));
}

/**
 * tanh x: |x| < 0.625, the odd polynomial; otherwise (1 - e) / (1 + e) with e = e^(-2|x|),
 * which has no cancellation there. The sign is copied back.
 */
// @ts-ignore: decorator
@inline
export function gateTanh(x: v128): v128 {
  const sign = v128.and(x, ki(0));
  const ax = v128.andnot(x, ki(0));
  const e = expNonPositive(f32x4.mul(ax, k(18)));
  const one = k(11);
  const big = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  const z = f32x4.mul(ax, ax);
  let p = k(12);
  p = madd(p, z, k(13));
  p = madd(p, z, k(14));
  p = madd(p, z, k(15));
  p = madd(p, z, k(16));
  const small = madd(f32x4.mul(p, z), ax, ax);
  return v128.or(v128.bitselect(small, big, f32x4.lt(ax, k(17))), sign);
}
