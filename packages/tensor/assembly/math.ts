/**
 * Vectorised f32 approximations of exp, log, tanh and sigmoid (four lanes at a time).
 *
 * Accuracy is a few ulp (relative error ~1e-7 .. 1e-6) over the whole range. Following the
 * lessons of the prototype (docs: KERNELS.md) they use `pmin`/`pmax` (one instruction each)
 * instead of `min`/`max` (long NaN/-0 sequences), and round to an integer with the
 * "add 1.5 * 2^23" magic-number trick instead of `trunc_sat`.
 *
 * Special values: exp(-inf..-104) = 0, exp(+89..+inf) = +Infinity, NaN propagates;
 * log(0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity, denormals handled;
 * tanh(+-large) = +-1; sigmoid(+large) = 1, sigmoid(-large) = 0.
 */
import { madd } from './simd';

/** 1.5 * 2^23: adding it rounds an |x| < 2^22 to an integer held in the mantissa bits. */
const MAGIC: f32 = 12582912.0;
const LOG2E: f32 = 1.44269504088896341;
/** ln 2 split in two so n * LN2_HI is exact for |n| < 2^9 (Cody-Waite). */
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/**
 * e^x. Reduction x = n ln2 + r with |r| <= ln2 / 2, a degree-6 polynomial for e^r (Cephes
 * expf), then a scale by 2^n done as two multiplications by 2^(n/2) so that n = 128 (x near
 * the overflow limit) and n < -126 (denormal results) are both exact IEEE operations.
 */
// @ts-ignore: decorator
@inline
export function vexp(v: v128): v128 {
  // x first in pmax/pmin so that NaN passes through both.
  const x = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-104.0)), f32x4.splat(88.8));
  const t = madd(x, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const fn = f32x4.sub(t, f32x4.splat(MAGIC));
  const n = i32x4.sub(t, f32x4.splat(MAGIC));
  let r = madd(fn, f32x4.splat(-LN2_HI), x);
  r = madd(fn, f32x4.splat(-LN2_LO), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  // 2^n = 2^n1 * 2^n2 with n1 = n >> 1, n2 = n - n1, each within the normal exponent range.
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

const SQRT_HALF: f32 = 0.707106781186547524;
const MIN_NORMAL: f32 = 1.17549435e-38;

/**
 * ln x. x = 2^e * m with m in [sqrt(1/2), sqrt(2)), ln m from the Cephes logf polynomial in
 * f = m - 1 (f is exact, so accuracy is relative also near x = 1).
 */
// @ts-ignore: decorator
@inline
export function vlog(v: v128): v128 {
  // Denormals: scale by 2^23 first and subtract 23 from the exponent.
  const tiny = f32x4.lt(v, f32x4.splat(MIN_NORMAL));
  const x = v128.bitselect(f32x4.mul(v, f32x4.splat(8388608.0)), v, tiny);
  const bits = x;
  // Exponent for a mantissa in [0.5, 1).
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  // m < sqrt(1/2): use 2m and e - 1, so m ends in [sqrt(1/2), sqrt(2)).
  const small = f32x4.lt(m, f32x4.splat(SQRT_HALF));
  e = i32x4.add(e, small); // true lanes are -1
  m = f32x4.add(m, v128.and(m, small));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = f32x4.splat(7.0376836292e-2);
  p = madd(p, f, f32x4.splat(-1.1514610310e-1));
  p = madd(p, f, f32x4.splat(1.1676998740e-1));
  p = madd(p, f, f32x4.splat(-1.2420140846e-1));
  p = madd(p, f, f32x4.splat(1.4249322787e-1));
  p = madd(p, f, f32x4.splat(-1.6668057665e-1));
  p = madd(p, f, f32x4.splat(2.0000714765e-1));
  p = madd(p, f, f32x4.splat(-2.4999993993e-1));
  p = madd(p, f, f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd(fe, f32x4.splat(LN2_LO), y);
  y = madd(z, f32x4.splat(-0.5), y);
  let r = f32x4.add(f, y);
  r = madd(fe, f32x4.splat(LN2_HI), r);
  // Special values.
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(v, f32x4.splat(Infinity)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(v, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, v128.not(f32x4.ge(v, f32x4.splat(0))));
  return r;
}

const SIGN_MASK: i32 = 0x80000000;

/**
 * tanh x. |x| < 0.625: odd polynomial (Cephes tanhf); otherwise 1 - 2 / (e^(2|x|) + 1), which
 * has no cancellation there. |x| is capped at 10, where tanh is 1 in f32. Sign copied back.
 */
// @ts-ignore: decorator
@inline
export function vtanh(v: v128): v128 {
  const sign = v128.and(v, i32x4.splat(SIGN_MASK));
  const ax = f32x4.pmin(v128.andnot(v, i32x4.splat(SIGN_MASK)), f32x4.splat(10.0));
  // Large branch.
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  // Small branch, on |x| (odd function).
  const z = f32x4.mul(ax, ax);
  let p = f32x4.splat(-5.70498872745e-3);
  p = madd(p, z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), ax, ax);
  const r = v128.bitselect(small, big, f32x4.lt(ax, f32x4.splat(0.625)));
  return v128.or(r, sign);
}

/** sigmoid x = 1 / (1 + e^-x); no cancellation for either sign, 0 and 1 at the extremes. */
// @ts-ignore: decorator
@inline
export function vsigmoid(v: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(v))));
}
