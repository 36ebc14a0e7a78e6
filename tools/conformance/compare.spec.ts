import { TINY, compareTensor, defaultTolerance, describeMismatch } from './compare';

const tol = { atol: 1e-5, rtol: 1e-4 };

describe('compareTensor', () => {
  it('passes an element exactly at atol + rtol*|e| and fails just beyond (numpy allclose rule)', () => {
    const e = [100, -2, 0];
    const bound = (x: number) => tol.atol + tol.rtol * Math.abs(x);
    expect(compareTensor('a', [100 + bound(100) * 0.999, -2 - bound(-2) * 0.999, bound(0) * 0.999], e, tol).pass).toBe(true);
    const over = compareTensor('a', [100 + bound(100) * 1.01, -2, 0], e, tol);
    expect(over).toMatchObject({ pass: false, mismatches: 1, worstIndex: 0 });
  });

  it('reports max absolute error, and max relative error over the elements outside the absolute tolerance', () => {
    const c = compareTensor('a', [1.5, 10.1, 1e-6], [1, 10, 0], tol);
    expect(c.maxAbs).toBeCloseTo(0.5, 12);
    expect(c.maxRel).toBeCloseTo(0.5, 12); // 1e-6 against 0 lies inside atol: no relative error is reported for it
    expect(c.mismatches).toBe(2);
    expect(c.worstIndex).toBe(0); // exceeds its bound the most
  });

  it('prints the worst element as a multi-index when the shape is known', () => {
    const c = compareTensor('y', [0, 0, 0, 0, 0, 7], [0, 0, 0, 0, 0, 1], tol, [2, 3]);
    expect(c.worstAt).toBe('[1,2]');
    expect(describeMismatch(c)).toBe('y: 1 of 6 elements off (worst [1,2]: got 7, expected 1, error 6; allowed atol 1.00e-5 + rtol 1.00e-4*|expected|)');
  });

  it('treats NaN against a number as an infinite error, and equal NaN/infinities as equal', () => {
    expect(compareTensor('a', [NaN], [1], tol)).toMatchObject({ pass: false, maxAbs: Infinity });
    expect(compareTensor('a', [NaN, Infinity], [NaN, Infinity], tol)).toMatchObject({ pass: true, maxAbs: 0 });
    expect(compareTensor('a', [-Infinity], [Infinity], tol).pass).toBe(false);
    expect(compareTensor('a', [5], [Infinity], tol).pass).toBe(false);
  });

  it('fails when the lengths differ', () => {
    const c = compareTensor('a', [1, 2], [1, 2, 3], tol);
    expect(c).toMatchObject({ pass: false, lengthError: 'a: loopflow gave 2 values, the golden has 3' });
  });

  it('gives float32 the README tolerance, looser for training, tighter for float64', () => {
    expect(defaultTolerance('float32')).toEqual({ atol: 1e-5, rtol: 1e-4 });
    expect(defaultTolerance('float32', 'training').rtol).toBe(1e-3);
    expect(defaultTolerance('float64').rtol).toBeLessThan(1e-6);
  });
});
