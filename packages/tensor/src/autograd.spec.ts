import { tensor, add, mul, sum, grad, noGrad, tanh, matmul, Tensor, gradCheck, sigmoid, sub } from './index';

describe('autograd', () => {
  it('backward from a scalar computes a hand-worked gradient', () => {
    // f(x, y) = sum(x * y + x)  ->  df/dx = y + 1, df/dy = x
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    const y = tensor([4, 5, 6], undefined, { requiresGrad: true });
    sum(add(mul(x, y), x)).backward();
    expect(x.grad!.toArray()).toEqual([5, 6, 7]);
    expect(y.grad!.toArray()).toEqual([1, 2, 3]);
  });

  it('accumulates when a tensor is used twice, and across backward calls', () => {
    const x = tensor([3], undefined, { requiresGrad: true });
    sum(mul(x, x)).backward(); // d(x^2)/dx = 2x = 6
    expect(x.grad!.toArray()).toEqual([6]);
    sum(mul(x, x)).backward();
    expect(x.grad!.toArray()).toEqual([12]);
  });

  it('a diamond graph (shared intermediate) sums both paths', () => {
    const x = tensor([0.5], undefined, { requiresGrad: true, dtype: 'float64' });
    const h = tanh(x);
    const y = sum(add(mul(h, 2), mul(h, h)));
    y.backward();
    const t = Math.tanh(0.5);
    expect(x.grad!.item()).toBeCloseTo((2 + 2 * t) * (1 - t * t), 12);
  });

  it('grad() returns gradients of intermediate tensors without touching .grad', () => {
    const w = tensor([[0.5, -1], [2, 0.25]], undefined, { requiresGrad: true });
    const h0 = tensor([[1, 2]]);
    const h1 = matmul(h0, w);
    const loss = sum(mul(h1, h1));
    const [dh1, dw] = grad(loss, [h1, w]);
    expect(dh1.toArray()).toEqual([[2 * h1.data[0], 2 * h1.data[1]]]);
    expect(dw.shape).toEqual([2, 2]);
    expect(w.grad).toBeNull();
  });

  it('noGrad records nothing', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    const y = noGrad(() => mul(x, 2));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.backward()).toThrow(/does not require grad/);
  });

  it('refuses backward from a non-scalar without a gradient', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(() => mul(x, 2).backward()).toThrow(/expected a scalar/);
  });

  it('handles a deep chain (1e4 steps) without a stack overflow', () => {
    const x = tensor([0.1], undefined, { requiresGrad: true, dtype: 'float64' });
    let h: Tensor = x;
    for (let i = 0; i < 10000; i++) h = add(mul(h, 0.999), 0.0001);
    h.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(0.999, 10000), 8);
  });

  it('gradCheck detects a wrong gradient', () => {
    // A deliberately wrong op: forward sigmoid, backward of tanh.
    const wrong = (a: Tensor): Tensor => {
      const out = sigmoid(a.detach());
      const { record } = require('./autograd');
      return record('wrong', [a], out, (g: Tensor) => [mul(g, sub(1, mul(out, out)))]);
    };
    const x = tensor([0.3, -0.2], undefined, { dtype: 'float64' });
    expect(gradCheck(wrong, [x]).ok).toBe(false);
    expect(gradCheck(sigmoid, [x]).ok).toBe(true);
  });
});
