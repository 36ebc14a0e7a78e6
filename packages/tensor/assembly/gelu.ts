/**
 * GELU, tanh approximation (PyTorch's `gelu(x, approximate='tanh')`), and its derivative on
 * four lanes, for the `gelu` unary and `geluGrad` binary kernels (elementwise.ts).
 *
 * `0.5 x (1 + tanh(u))` with `u = sqrt(2/pi) (x + 0.044715 x^3)` is written as `x s`,
 * `s = sigmoid(2u)` (the same function: 0.5 (1 + tanh(u)) = sigmoid(2u)), which keeps its
 * relative accuracy where `1 + tanh(u)` would cancel (x well below 0). With `e = e^-|2u|`:
 * `s = 1 / (1 + e)` for u >= 0 and `e / (1 + e)` for u < 0, and `s (1 - s) = e / (1 + e)^2`
 * for both, so the derivative
 *   `gelu'(x) = s + x s (1 - s) 2 sqrt(2/pi) (1 + 3 * 0.044715 x^2)`
 * never forms `1 - s` either. The reference kernels (src/backend/reference.ts) use the same
 * formulas in float64.
 */
import { vexp } from './math';
import { madd } from './simd';

const GELU: usize = memory.data<f32>([
  1.5957691216057308, // 0: 2 sqrt(2/pi)
  0.044715, // 1: a
  0.134145, // 2: 3a
  1.0, // 3
]);
/** i32 lanes: the f32 sign bit. */
const SIGN_BIT: usize = memory.data<i32>([0x80000000]);

// @ts-ignore: decorator
@inline
function c(i: i32): v128 {
  return v128.load32_splat(GELU + (<usize>i << 2));
}

/** gelu(x) on four lanes. */
// @ts-ignore: decorator
@inline
export function vgelu(x: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const z = f32x4.mul(f32x4.mul(x, c(0)), madd(x2, c(1), c(3))); // 2u
  const e = vexp(v128.or(z, v128.load32_splat(SIGN_BIT))); // e^-|2u|
  const one = c(3);
  const s0 = f32x4.div(one, f32x4.add(one, e));
  const s = v128.bitselect(s0, f32x4.mul(e, s0), f32x4.ge(z, f32x4.splat(0))); // sigmoid(2u)
  return f32x4.mul(x, s);
}

/** g * gelu'(x) on four lanes. */
// @ts-ignore: decorator
@inline
export function vgeluGrad(x: v128, g: v128): v128 {
  const x2 = f32x4.mul(x, x);
  const z = f32x4.mul(f32x4.mul(x, c(0)), madd(x2, c(1), c(3))); // 2u
  const e = vexp(v128.or(z, v128.load32_splat(SIGN_BIT))); // e^-|2u|
  const one = c(3);
  const s0 = f32x4.div(one, f32x4.add(one, e)); // 1 / (1 + e)
  const s = v128.bitselect(s0, f32x4.mul(e, s0), f32x4.ge(z, f32x4.splat(0))); // sigmoid(2u)
  const ss = f32x4.mul(f32x4.mul(e, s0), s0); // s (1 - s) = e / (1 + e)^2
  const dz = f32x4.mul(c(0), madd(x2, c(2), one)); // d(2u)/dx = 2 sqrt(2/pi) (1 + 3a x^2)
  return f32x4.mul(g, madd(f32x4.mul(x, ss), dz, s));
}
