/**
 * Exact conversions from the 16-bit float formats of safetensors files to numbers.
 * Every F16 and BF16 value is exactly representable in float32, so nothing is rounded.
 */

/**
 * IEEE 754 half precision (F16: 1 sign, 5 exponent, 10 mantissa bits) to a number:
 * normals, subnormals (mantissa * 2^-24), signed zeros, infinities and NaN.
 *
 * @example float16ToNumber(0x3c00) // 1
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x03ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero or subnormal
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

/**
 * bfloat16 (BF16: the top 16 bits of a float32) to a number; exact, including subnormals,
 * infinities and NaN.
 *
 * @example bfloat16ToNumber(0x3f80) // 1
 */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16, false);
  return scratch.getFloat32(0, false);
}

/**
 * A number to F16 bits, rounding to nearest even (overflow gives infinity, NaN gives 0x7e00).
 * Used by tests and by tools that write half-precision files.
 *
 * @example numberToFloat16(-2.5) // 0xc100
 */
export function numberToFloat16(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  // Scale so that the kept mantissa bits are the integer part, then round half to even.
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent--; // guard log2 rounding
  if (2 ** (exponent + 1) <= a) exponent++;
  if (exponent < -14) {
    const m = roundHalfEven(a * 2 ** 24); // subnormal: units of 2^-24
    return sign | m; // m == 1024 lands exactly on the smallest normal's bits
  }
  let m = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  if (m === 1024) {
    m = 0;
    exponent++;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | m;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const r = x - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
