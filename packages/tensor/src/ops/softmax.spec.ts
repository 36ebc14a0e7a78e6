// softmax / logSoftmax in float32 (exponentials on the backend's kernel, WebAssembly SIMD
// here) against the same ops in float64, along the last and a middle axis, with a row of
// -Infinity (fully masked) and large logits.
import { Random, Tensor, logSoftmax, softmax } from '../index';

function logits(shape: number[]): Tensor {
  const rng = new Random(5);
  const n = shape.reduce((a, b) => a * b, 1);
  const t = new Tensor(Float64Array.from({ length: n }, () => rng.normal() * 5), shape);
  t.data[3] = 900; // large values stay finite
  return t;
}

describe('softmax and logSoftmax: float32 = float64 to float32 rounding', () => {
  for (const [label, shape, axis] of [['last axis', [50, 40], -1], ['middle axis', [6, 30, 7], 1]] as const) {
    it(label, () => {
      const x64 = logits([...shape]);
      if (axis === -1) for (let c = 0; c < 40; c++) x64.data[2 * 40 + c] = -Infinity; // row 2 fully masked
      const x32 = x64.to('float32');
      const p32 = softmax(x32, axis);
      const p64 = softmax(x64, axis);
      const l32 = logSoftmax(x32, axis);
      const l64 = logSoftmax(x64, axis);
      expect(p32.dtype).toBe('float32');
      const same = (a: number, b: number, tol: number) => a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= tol;
      for (let i = 0; i < p64.size; i++) {
        expect(same(p32.data[i], p64.data[i], 2e-7 + 2e-6 * p64.data[i])).toBe(true);
        expect(same(l32.data[i], l64.data[i], 2e-6 * Math.max(1, Math.abs(l64.data[i])))).toBe(true);
      }
    });
  }
});
