/**
 * Elementwise kernels over f32 arrays in linear memory, computed in place.
 *
 * Arrays are processed four lanes at a time, rounded up: the caller reserves room for
 * `(len + 3) & ~3` floats, and the padding lanes compute harmless garbage (WebAssembly float
 * ops never trap).
 *
 * Op codes (mirrored in src/backend/wasm-abi.ts):
 * unary: 0 neg, 1 exp, 2 log, 3 sqrt, 4 tanh, 5 sigmoid, 6 relu, 7 gelu (tanh approximation);
 * binary: 0 add, 1 sub, 2 mul, 3 div, 4 geluGrad (a = x, b = the output's gradient: b * gelu'(a)).
 */
import { vexp, vlog, vtanh, vsigmoid } from './math';
import { vgelu, vgeluGrad } from './gelu';

/** a[i] = f(a[i]) for i < len (rounded up to a multiple of 4). Returns 0, or -1 for a bad op. */
export function unary(op: i32, a: usize, len: i32): i32 {
  const end = a + ((<usize>(len + 3) >> 2) << 4);
  switch (op) {
    case 0:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.neg(v128.load(p)));
      return 0;
    case 1:
      for (let p = a; p < end; p += 16) v128.store(p, vexp(v128.load(p)));
      return 0;
    case 2:
      for (let p = a; p < end; p += 16) v128.store(p, vlog(v128.load(p)));
      return 0;
    case 3:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.sqrt(v128.load(p)));
      return 0;
    case 4:
      for (let p = a; p < end; p += 16) v128.store(p, vtanh(v128.load(p)));
      return 0;
    case 5:
      for (let p = a; p < end; p += 16) v128.store(p, vsigmoid(v128.load(p)));
      return 0;
    case 6: {
      // pmax(0, x) = 0 < x ? x : 0 -- the reference's `x > 0 ? x : 0`, also for NaN and -0.
      const zero = f32x4.splat(0);
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.pmax(zero, v128.load(p)));
      return 0;
    }
    case 7:
      for (let p = a; p < end; p += 16) v128.store(p, vgelu(v128.load(p)));
      return 0;
    default:
      return -1;
  }
}

/** a[i] = f(a[i], b[i]) for i < len (rounded up to a multiple of 4). Returns 0, or -1 for a bad op. */
export function binary(op: i32, a: usize, b: usize, len: i32): i32 {
  const end = a + ((<usize>(len + 3) >> 2) << 4);
  const d = b - a;
  switch (op) {
    case 0:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.add(v128.load(p), v128.load(p + d)));
      return 0;
    case 1:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.sub(v128.load(p), v128.load(p + d)));
      return 0;
    case 2:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.mul(v128.load(p), v128.load(p + d)));
      return 0;
    case 3:
      for (let p = a; p < end; p += 16) v128.store(p, f32x4.div(v128.load(p), v128.load(p + d)));
      return 0;
    case 4:
      for (let p = a; p < end; p += 16) v128.store(p, vgeluGrad(v128.load(p), v128.load(p + d)));
      return 0;
    default:
      return -1;
  }
}
