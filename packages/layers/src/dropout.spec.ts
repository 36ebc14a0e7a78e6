import { Random, Tensor, ones, sum, tensor } from '@loopflow/tensor';
import { createDropout, dropout, dropoutMask } from './dropout';

describe('dropout', () => {
  it('is reproducible from the seed and advances between calls', () => {
    const x = ones([50]);
    const a = createDropout(0.5, 7);
    const b = createDropout(0.5, new Random(7));
    const a1 = dropout(a, x, true).toList();
    expect(dropout(b, x, true).toList()).toEqual(a1);
    expect(dropout(a, x, true).toList()).not.toEqual(a1); // the next call draws a new mask
    expect(dropout(createDropout(0.5, 8), x, true).toList()).not.toEqual(a1);
  });

  it('drops a fraction ~p and scales the rest by exactly 1/(1-p)', () => {
    for (const p of [0.1, 0.5, 0.8]) {
      const n = 100_000;
      const x = tensor(Array.from({ length: n }, (_, i) => (i % 7) - 3.5), [n], { dtype: 'float64' });
      const y = dropout(createDropout(p, 3), x, true);
      let dropped = 0;
      let wrongScale = 0;
      for (let i = 0; i < n; i++) {
        if (y.data[i] === 0) dropped++;
        else if (y.data[i] !== x.data[i] * (1 / (1 - p))) wrongScale++;
      }
      expect(wrongScale).toBe(0);
      // sd of the fraction is sqrt(p(1-p)/n) <= 0.0016; allow 5 sd
      expect(Math.abs(dropped / n - p)).toBeLessThan(0.008);
    }
  });

  it('is the identity in evaluation mode and for p = 0; zeros for p = 1', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const m = createDropout(0.5, 1);
    const state = m.rng.state();
    expect(dropout(m, x, false)).toBe(x);
    expect(m.rng.state()).toEqual(state); // evaluation draws nothing
    expect(dropout(createDropout(0, 1), x, true)).toBe(x);
    expect(dropout(createDropout(1, 1), x, true).toList()).toEqual([0, 0, 0, 0]);
  });

  it('passes gradients through the kept elements with the same scale', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], undefined, { requiresGrad: true });
    const y = dropout(createDropout(0.25, 4), x, true);
    sum(y).backward();
    const g = (x.grad as Tensor).toList();
    g.forEach((v, i) => expect(v).toBe(y.data[i] === 0 ? 0 : Math.fround(1 / 0.75)));
  });

  it('dropoutMask gives one reusable scaled mask, drawn like the module', () => {
    const mask = dropoutMask(new Random(5), [4, 6], 0.5, 'float64');
    expect(mask.shape).toEqual([4, 6]);
    expect(mask.dtype).toBe('float64');
    expect(new Set(mask.toList())).toEqual(new Set([0, 2]));
    const y = dropout(createDropout(0.5, 5), ones([4, 6], { dtype: 'float64' }), true);
    expect(y.toList()).toEqual(mask.toList());
  });

  it('refuses p outside [0, 1]', () => {
    expect(() => createDropout(1.5, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => dropoutMask(new Random(0), [2], -0.1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createDropout(NaN, 0)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
