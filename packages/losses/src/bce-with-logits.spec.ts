import { Tensor, add, grad, log, mean, mul, sigmoid, sub, sum, tensor, neg } from '@loopflow/tensor';
import { binaryCrossEntropyWithLogits as bce } from './index';
import type { Reduction } from './index';
import { expectCode, expectGradOk, randn, uniform } from './spec-helpers';

/** The textbook form -[p y log(sigmoid x) + (1 - y) log(1 - sigmoid x)] from tensor ops (fine for moderate x). */
function reference(x: Tensor, y: Tensor, posWeight = 1): Tensor {
  const s = sigmoid(x);
  return neg(add(mul(mul(y, log(s)), posWeight), mul(sub(1, y), log(sub(1, s)))));
}

describe('binaryCrossEntropyWithLogits', () => {
  it('worked by hand: x = 0 gives log 2 for any target; x = 2, y = 1 gives log(1 + e^-2)', () => {
    const x = tensor([0, 0, 2], [3], { dtype: 'float64', requiresGrad: true });
    const y = tensor([0, 1, 1], [3], { dtype: 'float64' });
    const loss = bce(x, y, { reduction: 'none' });
    expect(loss.data[0]).toBeCloseTo(Math.LN2, 15);
    expect(loss.data[1]).toBeCloseTo(Math.LN2, 15);
    expect(loss.data[2]).toBeCloseTo(Math.log1p(Math.exp(-2)), 15);
    const [g] = grad(sum(loss), [x]);
    expect(g.data[0]).toBeCloseTo(0.5, 15); // sigmoid(0) - 0
    expect(g.data[1]).toBeCloseTo(-0.5, 15);
    expect(g.data[2]).toBeCloseTo(1 / (1 + Math.exp(-2)) - 1, 15);
  });

  it('matches the textbook formula from tensor ops, with and without posWeight', () => {
    const x = randn([4, 3]);
    const y = uniform([4, 3], 0, 1);
    x.requiresGrad = true;
    for (const p of [1, 3.5]) {
      const fused = bce(x, y, p === 1 ? {} : { posWeight: p });
      const ref = mean(reference(x, y, p));
      expect(fused.item()).toBeCloseTo(ref.item(), 13);
      const [gf] = grad(fused, [x]);
      const [gr] = grad(ref, [x]);
      gf.data.forEach((v, i) => expect(v).toBeCloseTo(gr.data[i], 13));
    }
  });

  it('posWeight per class broadcasts over the last dimension', () => {
    const x = randn([2, 3]);
    const y = uniform([2, 3], 0, 1);
    const pw = [0.5, 2, 4];
    const per = bce(x, y, { posWeight: tensor(pw, [3], { dtype: 'float64' }), reduction: 'none' });
    for (let i = 0; i < 6; i++) {
      const one = bce(tensor([x.data[i]], [1], { dtype: 'float64' }), tensor([y.data[i]], [1], { dtype: 'float64' }), { posWeight: pw[i % 3] });
      expect(per.data[i]).toBeCloseTo(one.item(), 14);
    }
  });

  it('gradCheck (float64) on odd shapes, every reduction, logits and targets, with posWeight and mask', () => {
    for (const shape of [[7], [3, 5], [2, 3, 5]]) {
      for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
        expectGradOk((x, y) => bce(x, y, { reduction }), [randn(shape, 'float64', 3), uniform(shape, 0, 1)]);
        const last = shape[shape.length - 1];
        const pw = Array.from({ length: last }, (_, i) => 0.5 + i);
        expectGradOk((x, y) => bce(x, y, { reduction, posWeight: pw }), [randn(shape, 'float64', 3), uniform(shape, 0, 1)]);
        const mask = Array.from({ length: shape[0] }, (_, i) => (i % 3 === 1 ? 0 : 1));
        expectGradOk((x, y) => bce(x, y, { reduction, mask }), [randn(shape), uniform(shape, 0, 1)]);
      }
    }
  });

  it('logits of +-1000 give finite loss and gradients (float64 and float32)', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tensor([1000, -1000, 1000, -1000], [4], { dtype, requiresGrad: true });
      const y = tensor([1, 0, 0, 1], [4], { dtype });
      const loss = bce(x, y, { reduction: 'none' });
      expect(Array.from(loss.data)).toEqual([0, 0, 1000, 1000]);
      const [g] = grad(sum(loss), [x]);
      expect(Array.from(g.data)).toEqual([0, 0, 1, -1]);
      const weighted = bce(x, y, { posWeight: 2 });
      expect(weighted.item()).toBeCloseTo((1000 + 2000) / 4, 3);
    }
  });

  it('errors: shapes, dtypes, posWeight size', () => {
    expectCode(() => bce(randn([2, 3]), randn([3, 2])), 'SHAPE_MISMATCH', /logits has shape \[2,3\] but targets has shape \[3,2\]/);
    expectCode(() => bce(randn([2, 3]), randn([2, 3], 'float32')), 'DTYPE_MISMATCH');
    expectCode(() => bce(randn([2, 3]), randn([2, 3]), { posWeight: [1, 2] }), 'SHAPE_MISMATCH', /posWeight has 2 values but the logits' last dimension is 3/);
    expectCode(() => bce(randn([2, 3]), randn([2, 3]), { posWeight: NaN }), 'INVALID_ARGUMENT');
  });
});
