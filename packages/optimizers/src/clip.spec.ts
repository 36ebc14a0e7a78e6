import { tensor } from '@loopflow/tensor';
import { clipGradNorm, clipGradValue } from './index';
import { expectCode, gradFor, randomParam } from './spec-helpers';

function withGrads(values: number[][]) {
  return values.map((v) => {
    const p = randomParam([v.length]);
    p.grad = gradFor(p, v);
    return p;
  });
}

describe('clipGradNorm', () => {
  it('global L2 norm over all parameters: [3, 4] and [12] have norm 13; clipped to 1 by 1 / (13 + 1e-6)', () => {
    const params = withGrads([[3, 4], [12]]);
    const total = clipGradNorm(params, 1);
    expect(total).toBe(13);
    const coef = 1 / (13 + 1e-6);
    expect(Array.from(params[0].grad!.data)).toEqual([3 * coef, 4 * coef]);
    expect(Array.from(params[1].grad!.data)).toEqual([12 * coef]);
  });

  it('leaves gradients alone when the norm is below maxNorm (and still returns it)', () => {
    const params = withGrads([[0.3, 0.4]]);
    expect(clipGradNorm(params, 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(params[0].grad!.data)).toEqual([0.3, 0.4]);
  });

  it('infinity norm (largest |g|), the 1-norm, and a single tensor', () => {
    const params = withGrads([[1, -7, 2], [3]]);
    expect(clipGradNorm(params, 3.5, Infinity)).toBe(7);
    expect(params[0].grad!.data[1]).toBeCloseTo((-7 * 3.5) / (7 + 1e-6), 14);
    const again = withGrads([[1, -7, 2], [3]]);
    expect(clipGradNorm(again, 100, 1)).toBe(13);
    const single = withGrads([[6, 8]])[0];
    expect(clipGradNorm(single, 5)).toBe(10);
    expect(single.grad!.data[0]).toBeCloseTo((6 * 5) / (10 + 1e-6), 14);
  });

  it('skips parameters with grad null; returns 0 when none has one', () => {
    const params = withGrads([[3, 4]]);
    const bare = randomParam([2]);
    expect(clipGradNorm([bare, ...params], 1)).toBe(5);
    expect(bare.grad).toBeNull();
    expect(clipGradNorm([bare], 1)).toBe(0);
  });

  it('works in float32 in place', () => {
    const p = tensor([0, 0], [2], { requiresGrad: true });
    p.grad = tensor([30, 40], [2]);
    const data = p.grad.data;
    expect(clipGradNorm([p], 5)).toBe(50);
    expect(p.grad.data).toBe(data);
    expect(p.grad.data[1]).toBeCloseTo(4, 5);
  });

  it('non-finite norms: an error on request; otherwise as PyTorch (inf -> grads scaled by 0)', () => {
    const params = withGrads([[Infinity, 1]]);
    expectCode(() => clipGradNorm(params, 1, 2, { errorIfNonfinite: true }), 'NONFINITE_GRADIENT');
    expect(clipGradNorm(params, 1)).toBe(Infinity);
    expect(params[0].grad!.data[1]).toBe(0);
    expectCode(() => clipGradNorm(params, -1), 'INVALID_ARGUMENT');
    expectCode(() => clipGradNorm(params, 1, 0), 'INVALID_ARGUMENT', /normType = 0/);
  });
});

describe('clipGradValue', () => {
  it('clamps each element into [-c, c] in place, skipping null grads', () => {
    const params = withGrads([[-3, 0.2, 5], [0.5]]);
    const bare = randomParam([1]);
    clipGradValue([...params, bare], 1);
    expect(Array.from(params[0].grad!.data)).toEqual([-1, 0.2, 1]);
    expect(Array.from(params[1].grad!.data)).toEqual([0.5]);
    expect(bare.grad).toBeNull();
    expectCode(() => clipGradValue(params, -1), 'INVALID_ARGUMENT');
  });
});
