/**
 * Vectorised f32 approximations of exp, log, tanh and sigmoid (four lanes at a time).
 *
 * Accuracy is a few ulp (relative error ~1e-7; tests allow 2e-6) over the whole range.
 * Following the prototype (/work/shared/KERNELS.md) they use `pmin`/`pmax` (one instruction
 * each) instead of `min`/`max` (long NaN/-0 sequences), and round to an integer with the
 * "add 1.5 * 2^23" magic-number trick instead of `trunc_sat`.
 *
 * Constants are read with `v128.load32_splat` from tables in linear memory instead of being
 * written as `v128.const`: V8 materialises every non-trivial `v128.const` with about four
 * instructions inside the loop, while a splat-load is one. Measured 1.81 -> 1.47 ns per
 * element for exp on this machine.
 *
 * Special values: exp(x < -104) = 0, exp(x > 88.8) = +Infinity, NaN propagates;
 * log(0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity, denormals handled;
 * tanh(+-large) = +-1, tanh(-0) = -0; sigmoid(+large) = 1, sigmoid(-large) = 0.
 */
import { madd } from './simd';

/** Broadcasts entry `i` of the f32 (or i32) table at `table` to four lanes. */
// @ts-ignore: decorator
@inline
function k(table: usize, i: i32): v128 {
  return v128.load32_splat(table + (<usize>i << 2));
}

/**
 * exp: reduction x = n ln2 + r with |r| <= ln2 / 2 (Cody-Waite, ln2 = HI + LO so n * HI is
 * exact), a degree-6 polynomial for e^r (Cephes expf), then a scale by 2^n done as two
 * multiplications by 2^(n/2), so that n = 128 (x near the overflow limit) and n < -126
 * (denormal results) are both plain IEEE multiplications that overflow / underflow correctly.
 */
const EXP: usize = memory.data<f32>([
  -104.0, // 0: lower clamp (e^-104 underflows to 0)
  88.8, // 1: upper clamp (e^88.8 overflows to Infinity)
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
/** i32 lanes: the exponent bias. */
const I127: usize = memory.data<i32>([127]);

/** e^x on four lanes. */
// @ts-ignore: decorator
@inline
export function vexp(v: v128): v128 {
  // x first in pmax/pmin (pmax(a, b) = a < b ? b : a) so that NaN passes through both.
  const x = f32x4.pmin(f32x4.pmax(v, k(EXP, 0)), k(EXP, 1));
  const t = madd(x, k(EXP, 2), k(EXP, 3));
  const magic = k(EXP, 3);
  const fn = f32x4.sub(t, magic);
  const n = i32x4.sub(t, magic); // integer n in the low mantissa bits
  let r = madd(fn, k(EXP, 4), x);
  r = madd(fn, k(EXP, 5), r);
  let p = k(EXP, 6);
  p = madd(p, r, k(EXP, 7));
  p = madd(p, r, k(EXP, 8));
  p = madd(p, r, k(EXP, 9));
  p = madd(p, r, k(EXP, 10));
  p = madd(p, r, k(EXP, 11));
  const y = f32x4.add(madd(p, f32x4.mul(r, r), r), k(EXP, 12));
  // 2^n = 2^n1 * 2^n2 with n1 = n >> 1 and n2 = n - n1, each a normal float.
  const bias = k(I127, 0);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/**
 * log: x = 2^e * m with m in [sqrt(1/2), sqrt(2)), ln m from the Cephes logf polynomial in
 * f = m - 1 (f is exact, so the result is accurate in relative terms also near x = 1).
 */
const LOG: usize = memory.data<f32>([
  1.17549435e-38, // 0: smallest normal
  8388608.0, // 1: 2^23, scales denormals up
  0.707106781186547524, // 2: sqrt(1/2)
  1.0, // 3
  7.0376836292e-2, // 4..12: polynomial, highest degree first
  -1.1514610310e-1,
  1.1676998740e-1,
  -1.2420140846e-1,
  1.4249322787e-1,
  -1.6668057665e-1,
  2.0000714765e-1,
  -2.4999993993e-1,
  3.3333331174e-1,
  -2.12194440e-4, // 13: ln2 low part
  -0.5, // 14
  0.693359375, // 15: ln2 high part
  Infinity, // 16
  -Infinity, // 17
  NaN, // 18
  0.0, // 19
]);
/** i32 lanes: 0: mantissa mask, 1: exponent of 0.5, 2: bias for [0.5, 1), 3: 23. */
const LOG_I: usize = memory.data<i32>([0x007fffff, 0x3f000000, 126, 23]);

/** ln x on four lanes. */
// @ts-ignore: decorator
@inline
export function vlog(v: v128): v128 {
  // Denormals: scale by 2^23 first and take 23 off the exponent.
  const tiny = f32x4.lt(v, k(LOG, 0));
  const x = v128.bitselect(f32x4.mul(v, k(LOG, 1)), v, tiny);
  let e = i32x4.sub(i32x4.shr_u(x, 23), k(LOG_I, 2)); // exponent for a mantissa in [0.5, 1)
  e = i32x4.sub(e, v128.and(tiny, k(LOG_I, 3)));
  let m = v128.or(v128.and(x, k(LOG_I, 0)), k(LOG_I, 1));
  // m < sqrt(1/2): use 2m and e - 1, so that m ends in [sqrt(1/2), sqrt(2)).
  const small = f32x4.lt(m, k(LOG, 2));
  e = i32x4.add(e, small); // true lanes are all ones = -1
  m = f32x4.add(m, v128.and(m, small));
  const f = f32x4.sub(m, k(LOG, 3));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = k(LOG, 4);
  p = madd(p, f, k(LOG, 5));
  p = madd(p, f, k(LOG, 6));
  p = madd(p, f, k(LOG, 7));
  p = madd(p, f, k(LOG, 8));
  p = madd(p, f, k(LOG, 9));
  p = madd(p, f, k(LOG, 10));
  p = madd(p, f, k(LOG, 11));
  p = madd(p, f, k(LOG, 12));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd(fe, k(LOG, 13), y);
  y = madd(z, k(LOG, 14), y);
  let r = f32x4.add(f, y);
  r = madd(fe, k(LOG, 15), r);
  // Special values: +Infinity, +-0, negative or NaN.
  const zero = k(LOG, 19);
  r = v128.bitselect(k(LOG, 16), r, f32x4.eq(v, k(LOG, 16)));
  r = v128.bitselect(k(LOG, 17), r, f32x4.eq(v, zero));
  r = v128.bitselect(k(LOG, 18), r, v128.not(f32x4.ge(v, zero)));
  return r;
}

/**
 * tanh: |x| < 0.625: odd polynomial (Cephes tanhf); otherwise 1 - 2 / (e^(2|x|) + 1), which has
 * no cancellation there. |x| is capped at 10, where tanh rounds to 1 in f32. Sign copied back.
 */
const TANH: usize = memory.data<f32>([
  10.0, // 0: cap on |x|
  1.0, // 1
  2.0, // 2
  -5.70498872745e-3, // 3..7: polynomial in x^2, highest degree first
  2.06390887954e-2,
  -5.37397155531e-2,
  1.33314422036e-1,
  -3.33332819422e-1,
  0.625, // 8: branch point
]);
/** i32 lanes: the f32 sign bit. */
const SIGN: usize = memory.data<i32>([0x80000000]);

/** tanh x on four lanes. */
// @ts-ignore: decorator
@inline
export function vtanh(v: v128): v128 {
  const signMask = k(SIGN, 0);
  const sign = v128.and(v, signMask);
  const ax = f32x4.pmin(v128.andnot(v, signMask), k(TANH, 0));
  const one = k(TANH, 1);
  // Large |x|.
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(one, f32x4.div(k(TANH, 2), f32x4.add(e, one)));
  // Small |x| (odd function, evaluated on |x|).
  const z = f32x4.mul(ax, ax);
  let p = k(TANH, 3);
  p = madd(p, z, k(TANH, 4));
  p = madd(p, z, k(TANH, 5));
  p = madd(p, z, k(TANH, 6));
  p = madd(p, z, k(TANH, 7));
  const small = madd(f32x4.mul(p, z), ax, ax);
  const r = v128.bitselect(small, big, f32x4.lt(ax, k(TANH, 8)));
  return v128.or(r, sign);
}

/**
 * sigmoid with e = e^-|x|: 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0 -- the same stable
 * split as the reference, so tiny results (x < -87) keep their relative accuracy down to the
 * denormals, and sigmoid(+-large) is exactly 1 / 0.
 */
// @ts-ignore: decorator
@inline
export function vsigmoid(v: v128): v128 {
  const one = k(TANH, 1);
  const e = vexp(v128.or(v, k(SIGN, 0))); // e^-|x|
  const s = f32x4.div(one, f32x4.add(one, e));
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(v, k(LOG, 19)));
}
