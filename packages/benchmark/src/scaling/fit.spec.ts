import { Random } from '@loopflow/tensor';
import { fitPowerLaw, lastSegmentExponent } from './fit';

describe('power-law fit', () => {
  const T = [64, 128, 256, 512, 1024];

  it('recovers an exact power law', () => {
    const fit = fitPowerLaw(T, T.map((t) => 3 * t ** 1.5));
    expect(fit.exponent).toBeCloseTo(1.5, 10);
    expect(fit.coefficient).toBeCloseTo(3, 8);
    expect(fit.r2).toBeCloseTo(1, 10);
    expect(fit.points).toBe(5);
  });

  it('stays close under 10% multiplicative noise', () => {
    const rng = new Random(4);
    for (const k of [1, 2]) {
      const ys = T.map((t) => 0.01 * t ** k * (1 + rng.uniform(-0.1, 0.1)));
      expect(Math.abs(fitPowerLaw(T, ys).exponent - k)).toBeLessThan(0.08);
    }
  });

  it('linear plus quadratic: the fit lies between 1 and 2, the last segment approaches 2', () => {
    const ys = T.map((t) => 50 * t + 0.1 * t * t); // attention-like: T-linear parts, then T^2
    const fit = fitPowerLaw(T, ys);
    expect(fit.exponent).toBeGreaterThan(1);
    expect(fit.exponent).toBeLessThan(2);
    const last = lastSegmentExponent(T, ys);
    expect(last).toBeGreaterThan(fit.exponent);
    // by hand: log(50*1024 + 0.1*1024^2) - log(50*512 + 0.1*512^2) over log 2
    expect(last).toBeCloseTo(Math.log2((51200 + 104857.6) / (25600 + 26214.4)), 10);
  });

  it('a constant cost plus a linear one flattens the fit below 1 (why "linear" is judged on the last segment)', () => {
    const ys = T.map((t) => 100 + 0.1 * t);
    expect(fitPowerLaw(T, ys).exponent).toBeLessThan(0.5);
    // From 1024 (202.4) to 65536 (6653.6): ln(6653.6 / 202.4) / ln(64) = 0.84, on its way to 1.
    expect(lastSegmentExponent([...T, 65536], [...ys, 100 + 6553.6])).toBeCloseTo(Math.log(6653.6 / 202.4) / Math.log(64), 10);
    expect(lastSegmentExponent([...T, 65536], [...ys, 100 + 6553.6])).toBeGreaterThan(0.8);
  });

  it('skips non-positive values and refuses fewer than two points', () => {
    expect(fitPowerLaw([1, 2, 4, 8], [0, 2, 4, 8]).points).toBe(3);
    expect(() => fitPowerLaw([1, 2], [1, 0])).toThrow(/usable point/);
    expect(() => fitPowerLaw([4, 4], [1, 2])).toThrow(/distinct x/);
    expect(() => fitPowerLaw([1, 2], [1])).toThrow(/one y per x/);
    expect(lastSegmentExponent([1], [1])).toBeNaN();
  });
});
