import { Tensor, grad, tensor, noGrad, mean, mul, sub, sum, abs } from '@loopflow/tensor';
import { huberLoss, l1Loss, maeLoss, mseLoss } from './index';
import type { Reduction } from './index';
import { expectCode, expectGradOk, randn } from './spec-helpers';

const reductions: Reduction[] = ['mean', 'sum', 'none'];
const oddShapes = [[7], [3, 5], [2, 3, 5]];

describe('mseLoss, l1Loss, huberLoss: values worked by hand', () => {
  const pred = tensor([0.5, -1, 3, 2], [4], { dtype: 'float64' });
  const target = tensor([0, 1, 1, 2], [4], { dtype: 'float64' });
  // d = [0.5, -2, 2, 0]

  it('mse', () => {
    expect(mseLoss(pred, target).item()).toBeCloseTo((0.25 + 4 + 4 + 0) / 4, 15);
    expect(mseLoss(pred, target, { reduction: 'sum' }).item()).toBeCloseTo(8.25, 15);
    expect(mseLoss(pred, target, { reduction: 'none' }).toArray()).toEqual([0.25, 4, 4, 0]);
    expect(mseLoss(pred, target).shape).toEqual([]);
  });

  it('l1 (and its alias maeLoss); the gradient at d = 0 is 0, as PyTorch', () => {
    expect(l1Loss(pred, target).item()).toBeCloseTo(4.5 / 4, 15);
    expect(maeLoss(pred, target, { reduction: 'none' }).toArray()).toEqual([0.5, 2, 2, 0]);
    const p = pred.clone();
    p.requiresGrad = true;
    const [g] = grad(l1Loss(p, target, { reduction: 'sum' }), [p]);
    expect(g.toArray()).toEqual([1, -1, 1, 0]);
  });

  it('huber with delta 1 and delta 2.5', () => {
    // delta 1: [0.125, 1.5, 1.5, 0]
    expect(huberLoss(pred, target, { reduction: 'none' }).toArray()).toEqual([0.125, 1.5, 1.5, 0]);
    // delta 2.5: every |d| < 2.5 -> 0.5 d^2 = [0.125, 2, 2, 0]
    expect(huberLoss(pred, target, { delta: 2.5, reduction: 'none' }).toArray()).toEqual([0.125, 2, 2, 0]);
    const p = pred.clone();
    p.requiresGrad = true;
    const [g] = grad(huberLoss(p, target, { reduction: 'sum' }), [p]);
    expect(g.toArray()).toEqual([0.5, -1, 1, 0]);
  });

  it('keeps float32 inputs float32', () => {
    const out = mseLoss(pred.to('float32'), target.to('float32'));
    expect(out.dtype).toBe('float32');
    expect(out.item()).toBeCloseTo(2.0625, 6);
  });
});

describe('mseLoss, l1Loss, huberLoss: gradients (gradCheck, float64, odd shapes)', () => {
  const losses = {
    mse: (p: Tensor, t: Tensor, r: Reduction) => mseLoss(p, t, { reduction: r }),
    l1: (p: Tensor, t: Tensor, r: Reduction) => l1Loss(p, t, { reduction: r }),
    huber: (p: Tensor, t: Tensor, r: Reduction) => huberLoss(p, t, { reduction: r, delta: 0.7 }),
  };
  for (const [name, fn] of Object.entries(losses)) {
    for (const shape of oddShapes) {
      it(`${name} ${JSON.stringify(shape)}, every reduction, both inputs`, () => {
        for (const r of reductions) expectGradOk((p, t) => fn(p, t, r), [randn(shape), randn(shape)]);
      });
    }
  }

  it('matches the same loss composed from tensor ops', () => {
    const p = randn([4, 3]);
    const t = randn([4, 3]);
    p.requiresGrad = true;
    const fused = mseLoss(p, t);
    const composed = mean(mul(sub(p, t), sub(p, t)));
    expect(fused.item()).toBeCloseTo(composed.item(), 14);
    const [gf] = grad(fused, [p]);
    const [gc] = grad(composed, [p]);
    gf.data.forEach((v, i) => expect(v).toBeCloseTo(gc.data[i], 14));
    const l1f = l1Loss(p, t, { reduction: 'sum' });
    expect(l1f.item()).toBeCloseTo(sum(abs(sub(p, t))).item(), 14);
  });
});

describe('masks', () => {
  it('a mask over the leading dims gives the mean over the kept elements', () => {
    const p = randn([2, 3, 4]);
    const t = randn([2, 3, 4]);
    const mask = [1, 1, 0, 1, 0, 0]; // [2, 3]: 3 of 6 steps kept, 4 features each
    const all = mseLoss(p, t, { reduction: 'none' });
    let expected = 0;
    for (let i = 0; i < 24; i++) expected += mask[Math.floor(i / 4)] * all.data[i];
    expect(mseLoss(p, t, { mask }).item()).toBeCloseTo(expected / 12, 14);
    expect(mseLoss(p, t, { mask, reduction: 'sum' }).item()).toBeCloseTo(expected, 14);
    const none = mseLoss(p, t, { mask: tensor(mask, [2, 3]), reduction: 'none' });
    expect(none.data[8]).toBe(0); // step [0, 2] masked
  });

  it('masked elements get no gradient; gradCheck with a mask of weights', () => {
    const p = randn([3, 5]);
    p.requiresGrad = true;
    const [g] = grad(huberLoss(p, randn([3, 5]), { mask: [1, 0, 1] }), [p]);
    for (let j = 0; j < 5; j++) expect(g.data[5 + j]).toBe(0);
    for (const r of reductions) {
      expectGradOk((a, b) => l1Loss(a, b, { mask: [0.5, 0, 2], reduction: r }), [randn([3, 5]), randn([3, 5])]);
      expectGradOk((a, b) => mseLoss(a, b, { mask: tensor([1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1], [3, 5]), reduction: r }), [randn([3, 5]), randn([3, 5])]);
    }
  });
});

describe('errors', () => {
  it('mismatched shapes, dtypes, a bad reduction, a bad delta, a bad mask', () => {
    expectCode(() => mseLoss(randn([2, 3]), randn([3, 2])), 'SHAPE_MISMATCH', /pred has shape \[2,3\] but target has shape \[3,2\]/);
    expectCode(() => l1Loss(randn([3]), randn([1, 3])), 'SHAPE_MISMATCH');
    expectCode(() => mseLoss(randn([3]), randn([3], 'float32')), 'DTYPE_MISMATCH');
    expectCode(() => mseLoss(randn([3]), randn([3]), { reduction: 'avg' as Reduction }), 'INVALID_ARGUMENT', /reduction "avg"/);
    expectCode(() => huberLoss(randn([3]), randn([3]), { delta: 0 }), 'INVALID_ARGUMENT', /delta 0/);
    expectCode(() => mseLoss(randn([2, 3]), randn([2, 3]), { mask: [1, 0, 1, 1] }), 'SHAPE_MISMATCH', /expected 2 or 6 values/);
    expectCode(() => mseLoss(randn([2, 3]), randn([2, 3]), { mask: tensor([1, 1, 1], [3]) }), 'SHAPE_MISMATCH');
    expectCode(() => mseLoss(randn([2]), randn([2]), { mask: [1, -1] }), 'INVALID_ARGUMENT', /mask value -1/);
  });

  it('records nothing inside noGrad', () => {
    const p = randn([3]);
    p.requiresGrad = true;
    expect(noGrad(() => mseLoss(p, randn([3]))).requiresGrad).toBe(false);
  });
});
