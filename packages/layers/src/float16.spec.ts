import { bfloat16ToNumber, float16ToNumber, numberToFloat16 } from './float16';

// An independent route for normal F16 values: rebuild the float32 bit pattern
// (exponent rebiased from 15 to 127, mantissa shifted left by 13) and read it as a float.
function viaFloat32Bits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  const sign = (bits & 0x8000) << 16;
  const exponent = ((bits >> 10) & 0x1f) - 15 + 127;
  view.setUint32(0, sign | (exponent << 23) | ((bits & 0x3ff) << 13));
  return view.getFloat32(0);
}

describe('float16', () => {
  it('decodes hand-computed F16 values', () => {
    expect(float16ToNumber(0x3c00)).toBe(1);
    expect(float16ToNumber(0xc100)).toBe(-2.5);
    expect(float16ToNumber(0x7bff)).toBe(65504);
    expect(float16ToNumber(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(float16ToNumber(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(float16ToNumber(0x0400)).toBe(2 ** -14); // smallest normal
    expect(float16ToNumber(0x3555)).toBe(0.333251953125);
    expect(float16ToNumber(0x7c00)).toBe(Infinity);
    expect(float16ToNumber(0xfc00)).toBe(-Infinity);
    expect(float16ToNumber(0x7e00)).toBeNaN();
    expect(float16ToNumber(0xfc01)).toBeNaN();
    expect(Object.is(float16ToNumber(0x8000), -0)).toBe(true);
  });

  it('agrees with the float32 bit construction for every normal F16 value', () => {
    let mismatches = 0;
    for (let bits = 0; bits < 0x10000; bits++) {
      const e = (bits >> 10) & 0x1f;
      if (e === 0 || e === 0x1f) continue;
      if (float16ToNumber(bits) !== viaFloat32Bits(bits)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('numberToFloat16 inverts float16ToNumber on all 65536 patterns and rounds half to even', () => {
    let mismatches = 0;
    for (let bits = 0; bits < 0x10000; bits++) {
      const v = float16ToNumber(bits);
      if (Number.isNaN(v)) continue;
      if (numberToFloat16(v) !== bits) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(numberToFloat16(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and next: to even
    expect(numberToFloat16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(numberToFloat16(65520)).toBe(0x7c00); // rounds up past the max
    expect(numberToFloat16(2 ** -25)).toBe(0x0000); // halfway to the smallest subnormal: to even (0)
    expect(numberToFloat16(NaN)).toBe(0x7e00);
  });

  it('decodes hand-computed BF16 values', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xc020)).toBe(-2.5);
    expect(bfloat16ToNumber(0x4049)).toBe(3.140625);
    expect(bfloat16ToNumber(0x7f7f)).toBe((2 - 2 ** -7) * 2 ** 127); // largest finite
    expect(bfloat16ToNumber(0x0001)).toBe(2 ** -133); // smallest subnormal
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity);
    expect(bfloat16ToNumber(0xff80)).toBe(-Infinity);
    expect(bfloat16ToNumber(0x7fc0)).toBeNaN();
    expect(Object.is(bfloat16ToNumber(0x8000), -0)).toBe(true);
  });
});
