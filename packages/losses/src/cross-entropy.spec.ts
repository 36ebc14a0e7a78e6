import { Tensor, grad, logSoftmax, mul, neg, noGrad, sum, tensor, div } from '@loopflow/tensor';
import { crossEntropy } from './index';
import type { CrossEntropyOptions, Reduction } from './index';
import { expectCode, expectGradOk, randn, randomClasses } from './spec-helpers';

/**
 * The reference: cross-entropy composed from tensor ops (logSoftmax with its own gradient),
 * with PyTorch's formula written out: loss_r = -sum_c Q[r, c] logp[r, c] where
 * Q = m_r ((1 - s) w_t [c = t] + (s / C) w_c), divided for 'mean' by sum_r m_r w_t.
 */
function referenceCrossEntropy(logits: Tensor, targets: number[], options: CrossEntropyOptions = {}): Tensor {
  const C = logits.shape[logits.ndim - 1];
  const N = logits.size / C;
  const s = options.labelSmoothing ?? 0;
  const ignore = options.ignoreIndex ?? -100;
  const w = (c: number): number => (options.classWeights ? (options.classWeights as number[])[c] : 1);
  const maskValues = options.mask as number[] | undefined;
  const block = maskValues ? N / maskValues.length : 1;
  const q = new Float64Array(N * C);
  let divisor = 0;
  for (let r = 0; r < N; r++) {
    const t = targets[r];
    if (t === ignore) continue;
    const m = maskValues ? maskValues[Math.floor(r / block)] : 1;
    for (let c = 0; c < C; c++) q[r * C + c] = m * ((1 - s) * w(t) * (c === t ? 1 : 0) + (s / C) * w(c));
    divisor += m * w(t);
  }
  const perRow = neg(sum(mul(logSoftmax(logits, -1), new Tensor(q, logits.shape)), -1)); // [...]
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return perRow;
  const total = sum(perRow);
  return reduction === 'sum' ? total : div(total, divisor);
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, digits = 12): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], digits);
}

describe('crossEntropy: values worked by hand', () => {
  it('uniform logits give log(C); a worked row gives log(1 + e^-1 + e^-2)', () => {
    expect(crossEntropy(tensor([[0, 0, 0, 0]], undefined, { dtype: 'float64' }), [3]).item()).toBeCloseTo(Math.log(4), 15);
    const logits = tensor([[1, 2, 3]], undefined, { dtype: 'float64', requiresGrad: true });
    const loss = crossEntropy(logits, [2]);
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(Math.log(1 + Math.exp(-1) + Math.exp(-2)), 15);
    const [g] = grad(loss, [logits]);
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expectClose(g.data, [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z - 1], 15);
  });

  it('label smoothing: (1 - s) nll + (s / C) sum_c -logp_c', () => {
    const logits = tensor([[Math.log(3), 0]], undefined, { dtype: 'float64' }); // p = [0.75, 0.25]
    const expected = 0.8 * -Math.log(0.75) + 0.1 * -(Math.log(0.75) + Math.log(0.25));
    expect(crossEntropy(logits, [0], { labelSmoothing: 0.2 }).item()).toBeCloseTo(expected, 15);
  });

  it("'mean' with ignored targets divides by the number of targets kept (PyTorch)", () => {
    const logits = randn([3, 4]);
    const per = crossEntropy(logits, [1, 2, 3], { reduction: 'none' });
    expect(crossEntropy(logits, [1, -100, 3]).item()).toBeCloseTo((per.data[0] + per.data[2]) / 2, 14);
    expect(crossEntropy(logits, [1, -100, 3], { reduction: 'sum' }).item()).toBeCloseTo(per.data[0] + per.data[2], 14);
    expect(crossEntropy(logits, [1, -100, 3], { reduction: 'none' }).toArray()).toEqual([per.data[0], 0, per.data[2]]);
    // an ignoreIndex inside the class range (a padding token 0) is still ignored
    expect(crossEntropy(logits, [0, 2, 3], { ignoreIndex: 0 }).item()).toBeCloseTo((per.data[1] + per.data[2]) / 2, 14);
    // every target ignored: 0 / 0 = NaN, as PyTorch
    expect(crossEntropy(logits, [-100, -100, -100]).item()).toBeNaN();
  });

  it('class weights: mean divides by the summed weights of the targets (PyTorch)', () => {
    const logits = randn([3, 4]);
    const per = crossEntropy(logits, [1, 2, 3], { reduction: 'none' });
    const w = [1, 2, 0.5, 3];
    const expected = (2 * per.data[0] + 0.5 * per.data[1] + 3 * per.data[2]) / (2 + 0.5 + 3);
    expect(crossEntropy(logits, [1, 2, 3], { classWeights: w }).item()).toBeCloseTo(expected, 14);
  });

  it('logits of +-1000 give finite loss and gradients, in float64 and float32', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      const logits = tensor([[1000, -1000, 0], [-1000, 1000, 999]], undefined, { dtype, requiresGrad: true });
      const loss = crossEntropy(logits, [1, 2], { reduction: 'none' });
      expect(loss.data[0]).toBeCloseTo(2000, dtype === 'float64' ? 10 : 3);
      expect(loss.data[1]).toBeCloseTo(1 + Math.log(1 + Math.exp(-1)), 5);
      const [g] = grad(sum(loss), [logits]);
      for (const v of g.data) expect(Number.isFinite(v)).toBe(true);
      expect(g.data[0]).toBeCloseTo(1, 6); // softmax 1 on the wrong class
      expect(g.data[1]).toBeCloseTo(-1, 6);
      const smooth = crossEntropy(logits, [1, 2], { labelSmoothing: 0.1 });
      expect(Number.isFinite(smooth.item())).toBe(true);
    }
  });
});

describe('crossEntropy: float32 at a size that runs the WebAssembly exp kernel', () => {
  it('[40, 33] with masked, ignored and -Infinity rows: loss and gradient = the float64 computation to float32 rounding', () => {
    const shape = [8, 5, 33];
    const targets = randomClasses(40, 33);
    targets[3] = -100;
    const mask = Array.from({ length: 40 }, (_, i) => (i % 7 === 2 ? 0 : 1));
    const logits64 = randn(shape, 'float64', 4);
    for (let c = 0; c < 33; c++) logits64.data[10 * 33 + c] = c === targets[10] ? 0 : -Infinity; // row 10: one finite logit
    for (const options of [{ mask }, { labelSmoothing: 0.2 }, { reduction: 'none' as Reduction }]) {
      const run = (dtype: 'float32' | 'float64'): [Tensor, Tensor] => {
        const x = logits64.to(dtype);
        x.requiresGrad = true;
        const loss = crossEntropy(x, targets, options);
        return [loss, grad(sum(loss), [x])[0]];
      };
      const [l32, g32] = run('float32');
      const [l64, g64] = run('float64');
      expect(l32.dtype).toBe('float32');
      // equal, or within float32 rounding (smoothing over a -Infinity logit gives +Infinity in both)
      const off = (a: number, b: number, atol: number): number => (a === b ? 0 : Math.abs(a - b) - atol - 2e-6 * Math.abs(b));
      for (let i = 0; i < l64.size; i++) expect(off(l32.data[i], l64.data[i], 2e-6)).toBeLessThanOrEqual(0);
      for (let i = 0; i < g64.size; i++) expect(off(g32.data[i], g64.data[i], 1e-7)).toBeLessThanOrEqual(0);
    }
  });
});

describe('crossEntropy: against the composite of tensor ops, and gradCheck (float64)', () => {
  const cases: [string, number[], CrossEntropyOptions][] = [
    ['[5,3] plain', [5, 3], {}],
    ['[2,3,7] sequence', [2, 3, 7], {}],
    ['[1,1] one class', [1, 1], {}],
    ['[4,5] ignoreIndex', [4, 5], { ignoreIndex: 2 }],
    ['[3,4,5] mask [3,4]', [3, 4, 5], { mask: [1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0] }],
    ['[3,4,5] mask [3] (per sequence)', [3, 4, 5], { mask: [1, 0, 0.5] }],
    ['[6,4] label smoothing', [6, 4], { labelSmoothing: 0.15 }],
    ['[6,4] class weights + smoothing + ignore', [6, 4], { classWeights: [0.5, 2, 1, 3], labelSmoothing: 0.3, ignoreIndex: 1 }],
  ];
  for (const [label, shape, options] of cases) {
    it(label, () => {
      const C = shape[shape.length - 1];
      const N = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const targets = randomClasses(N, C);
      if (options.ignoreIndex !== undefined) targets[0] = options.ignoreIndex;
      for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
        const opts = { ...options, reduction };
        const logits = randn(shape, 'float64', 2);
        logits.requiresGrad = true;
        const fused = crossEntropy(logits, targets, opts);
        const reference = referenceCrossEntropy(logits, targets, opts);
        expect(fused.shape).toEqual(reference.shape);
        expectClose(fused.data, reference.data, 12);
        const [gf] = grad(sum(mul(fused, fused)), [logits]);
        const [gr] = grad(sum(mul(reference, reference)), [logits]);
        expectClose(gf.data, gr.data, 11);
        expectGradOk((x) => crossEntropy(x, targets, opts), [randn(shape)]);
      }
    });
  }
});

describe('crossEntropy: target forms', () => {
  it('accepts number[], Int32Array and a Tensor of indices of the positions shape', () => {
    const logits = randn([2, 3, 4]);
    const ids = [0, 3, 2, 1, 1, 0];
    const a = crossEntropy(logits, ids).item();
    expect(crossEntropy(logits, Int32Array.from(ids)).item()).toBe(a);
    expect(crossEntropy(logits, tensor(ids, [2, 3])).item()).toBe(a);
    expect(crossEntropy(logits, tensor(ids, [2, 3], { dtype: 'float64' }), { mask: tensor([1, 1, 1, 1, 1, 1], [2, 3]) }).item()).toBeCloseTo(a, 15);
  });

  it('skips the softmax buffer under noGrad and gives the same value', () => {
    const logits = randn([4, 6]);
    logits.requiresGrad = true;
    const ids = [5, 0, 3, 2];
    const withGrad = crossEntropy(logits, ids);
    const without = noGrad(() => crossEntropy(logits, ids));
    expect(without.requiresGrad).toBe(false);
    expect(without.item()).toBe(withGrad.item());
  });
});

describe('crossEntropy: errors', () => {
  const logits = randn([2, 3, 4]);
  it('out-of-range and non-integer class indices', () => {
    expectCode(() => crossEntropy(logits, [0, 1, 2, 4, 0, 0]), 'INDEX_OUT_OF_RANGE', /target 4 at position 3 is out of range for 4 classes/);
    expectCode(() => crossEntropy(logits, [0, 1, 2, -1, 0, 0]), 'INDEX_OUT_OF_RANGE');
    expectCode(() => crossEntropy(logits, [0, 1.5, 2, 1, 0, 0]), 'INVALID_TARGET', /not a whole number/);
  });
  it('mismatched shapes', () => {
    expectCode(() => crossEntropy(logits, [0, 1, 2]), 'SHAPE_MISMATCH', /3 targets for logits of shape \[2,3,4\]; expected 6/);
    expectCode(() => crossEntropy(logits, tensor([0, 1, 2, 3, 0, 1], [3, 2])), 'SHAPE_MISMATCH', /expected targets of shape \[2,3\]/);
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { mask: [1, 0, 1, 1] }), 'SHAPE_MISMATCH');
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { classWeights: [1, 2, 3] }), 'SHAPE_MISMATCH', /expected one weight per class, \[4\]/);
    expectCode(() => crossEntropy(tensor([], [2, 0]), [0, 0]), 'SHAPE_MISMATCH');
  });
  it('bad options', () => {
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { labelSmoothing: 1.5 }), 'INVALID_ARGUMENT', /labelSmoothing 1.5/);
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { reduction: 'avg' as Reduction }), 'INVALID_ARGUMENT');
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { ignoreIndex: 0.5 }), 'INVALID_ARGUMENT');
    expectCode(() => crossEntropy(logits, [0, 1, 2, 3, 0, 1], { classWeights: [1, -1, 1, 1] }), 'INVALID_ARGUMENT');
  });
});
