import {
  Tensor, tensor, Random, gradCheck, add, sub, mul, div, neg, exp, log, sqrt, tanh, sigmoid, relu, pow, clamp, abs,
  sum, mean, max, argmax, softmax, logSoftmax, logSumExp, reshape, permute, transpose, concat, stack, slice, split, unbind, select,
  matmul, gather, oneHot, where, maskedFill, broadcastTo, squeeze, unsqueeze, zeros,
} from '../index';

const rng = new Random(7);
const randn = (shape: number[], offset = 0): Tensor =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() + offset), shape);
const positive = (shape: number[]): Tensor =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(0.5, 2)), shape);
// Values kept away from kinks (relu at 0, clamp bounds, max ties) so finite differences are valid.
const awayFromKinks = (shape: number[], kinks: number[]): Tensor => {
  const t = randn(shape);
  for (let i = 0; i < t.size; i++) {
    for (const k of kinks) if (Math.abs(t.data[i] - k) < 0.05) t.data[i] = k + 0.1;
  }
  return t;
};

function expectGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], skip?: number[]): void {
  const result = gradCheck(fn, inputs, { skip });
  if (!result.ok) throw new Error(`gradCheck failed: ${JSON.stringify(result.inputs)}`);
  expect(result.ok).toBe(true);
  // The check is not vacuous: every input had a gradient compared.
  expect(result.inputs.length).toBe(inputs.length - (skip?.length ?? 0));
}

describe('elementwise binary ops with broadcasting', () => {
  const cases: [string, number[], number[]][] = [
    ['same shape', [3, 5], [3, 5]],
    ['row vector', [4, 7], [7]],
    ['column', [4, 7], [4, 1]],
    ['both broadcast', [3, 1, 5], [1, 4, 1]],
    ['scalar', [2, 3], []],
    ['odd sizes', [1, 13], [17, 1]],
  ];
  for (const [label, sa, sb] of cases) {
    it(`add/sub/mul/div: ${label}`, () => {
      expectGrad(add, [randn(sa), randn(sb)]);
      expectGrad(sub, [randn(sa), randn(sb)]);
      expectGrad(mul, [randn(sa), randn(sb)]);
      expectGrad(div, [randn(sa), positive(sb)]);
    });
  }
  it('computes values', () => {
    expect(add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(sub(tensor([5]), 2).toArray()).toEqual([3]);
    expect(div(tensor([[1], [4]]), tensor([2, 4])).toArray()).toEqual([[0.5, 0.25], [2, 1]]);
  });
  it('names the op and shapes on a mismatch', () => {
    expect(() => add(tensor([[1, 2, 3]]), tensor([[1, 2]]))).toThrow(/add: shapes \[1,3\] and \[1,2\] do not broadcast/);
    try {
      mul(zeros([2, 3]), zeros([4]));
    } catch (e) {
      expect((e as { code: string }).code).toBe('SHAPE_MISMATCH');
    }
  });
});

describe('elementwise unary ops', () => {
  it('neg, exp, tanh, sigmoid on odd shapes', () => {
    for (const f of [neg, exp, tanh, sigmoid]) expectGrad(f, [randn([3, 7])]);
  });
  it('log, sqrt on positive input', () => {
    expectGrad(log, [positive([5, 3])]);
    expectGrad(sqrt, [positive([11])]);
  });
  it('relu, abs away from 0; clamp away from its bounds', () => {
    expectGrad(relu, [awayFromKinks([4, 9], [0])]);
    expectGrad(abs, [awayFromKinks([4, 9], [0])]);
    expectGrad((x) => clamp(x, -0.5, 0.7), [awayFromKinks([5, 5], [-0.5, 0.7])]);
  });
  it('pow with a number and with a broadcast tensor exponent', () => {
    expectGrad((x) => pow(x, 3), [randn([3, 4])]);
    expectGrad((x) => pow(x, -1.5), [positive([3, 4])]);
    expectGrad((x, y) => pow(x, y), [positive([3, 4]), randn([4])]);
  });
  it('sigmoid and tanh are finite at +-1000', () => {
    const x = tensor([-1000, 1000]);
    expect(sigmoid(x).toArray()).toEqual([0, 1]);
    expect(tanh(x).toArray()).toEqual([-1, 1]);
  });
  it('clamp values and an inverted range error', () => {
    expect(clamp(tensor([-2, 0, 2]), -1, 1).toArray()).toEqual([-1, 0, 1]);
    expect(() => clamp(tensor([1]), 1, 0)).toThrow(/min 1 is greater than max 0/);
  });
});

describe('reductions', () => {
  it('sum and mean over one axis, several axes, all, with keepDims', () => {
    const x = randn([3, 4, 5]);
    expectGrad((a) => sum(a), [x]);
    expectGrad((a) => sum(a, 1), [x]);
    expectGrad((a) => sum(a, [0, 2], true), [x]);
    expectGrad((a) => mean(a, -1), [x]);
    expectGrad((a) => mean(a, [0, 1]), [x]);
    expect(sum(tensor([[1, 2], [3, 4]]), 0).toArray()).toEqual([4, 6]);
    expect(mean(tensor([[1, 2], [3, 4]]), 1, true).toArray()).toEqual([[1.5], [3.5]]);
  });
  it('max along an axis and over all', () => {
    expectGrad((a) => max(a, 1), [randn([4, 7, 3])]);
    expectGrad((a) => max(a), [randn([5, 3])]);
    expect(max(tensor([[1, 5, 3], [7, 2, 0]]), 1).toArray()).toEqual([5, 7]);
  });
  it('argmax gives the first position of the maximum; max lets NaN win, argmax skips it', () => {
    expect(argmax(tensor([[1, 5, 5], [7, 2, 0]])).toArray()).toEqual([1, 0]);
    expect(argmax(tensor([[1, 5], [7, 2], [3, 9]]), 0).toArray()).toEqual([1, 2]);
    expect(argmax(tensor([[1, NaN, 3]])).toArray()).toEqual([2]);
    expect(Number.isNaN(max(tensor([[1, NaN, 3]]), 1).item())).toBe(true);
  });
  it('softmax, logSoftmax and logSumExp along any axis', () => {
    expectGrad((a) => softmax(a, 1), [randn([3, 5, 2])]);
    expectGrad((a) => logSoftmax(a, -1), [randn([4, 9])]);
    expectGrad((a) => logSoftmax(a, 0), [randn([6, 3])]);
    expectGrad((a) => logSumExp(a, 1), [randn([3, 5])]);
    const p = softmax(tensor([[1, 2, 3]]));
    expect(p.toList().reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
  it('logSoftmax is finite for logits of +-1000', () => {
    const y = logSoftmax(tensor([[1000, -1000, 0]]));
    expect(y.toList().every(Number.isFinite)).toBe(true);
    expect(y.get(0, 0)).toBeCloseTo(0, 5);
  });
});

describe('shape ops', () => {
  it('reshape, squeeze, unsqueeze, permute, transpose, broadcastTo', () => {
    expectGrad((a) => mul(reshape(a, [5, -1]), 2), [randn([3, 5])]);
    expectGrad((a) => squeeze(unsqueeze(a, 1), 1), [randn([3, 2])]);
    expectGrad((a) => permute(a, [2, 0, 1]), [randn([2, 3, 4])]);
    expectGrad((a) => transpose(a), [randn([3, 5])]);
    expectGrad((a) => broadcastTo(a, [4, 3, 5]), [randn([3, 1])]);
    expect(transpose(tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(() => reshape(zeros([2, 3]), [4, 2])).toThrow(/\[2,3\] \(6 elements\) cannot become \[4,2\]/);
  });
  it('concat and stack along any axis', () => {
    expectGrad((a, b) => concat([a, b], 1), [randn([2, 3, 4]), randn([2, 5, 4])]);
    expectGrad((a, b) => stack([a, b], 2), [randn([3, 2]), randn([3, 2])]);
    expect(concat([tensor([[1, 2]]), tensor([[3, 4]])], 0).toArray()).toEqual([[1, 2], [3, 4]]);
  });
  it('slice, split, unbind, select', () => {
    expectGrad((a) => slice(a, 1, 1, 4), [randn([3, 5])]);
    expectGrad((a) => slice(a, -1, -2), [randn([3, 5])]);
    expectGrad((a) => { const [p, q] = split(a, [2, 3], 1); return sub(mul(p, 2), sum(q, 1, true)); }, [randn([4, 5])]);
    expectGrad((a) => { const parts = unbind(a, 0); return add(mul(parts[0], parts[2]), parts[1]); }, [randn([3, 4])]);
    expectGrad((a) => mul(select(a, 1, 2), select(a, 1, 0)), [randn([2, 3, 2])]);
    expect(slice(tensor([0, 1, 2, 3, 4]), 0, 1, 3).toArray()).toEqual([1, 2]);
    expect(() => slice(zeros([3]), 0, 2, 5)).toThrow(/range \[2, 5\) does not fit axis 0 of size 3/);
  });
  it('split pieces used only in part still give correct gradients, twice in a row', () => {
    const a = tensor([1, 2, 3, 4], [4], { requiresGrad: true, dtype: 'float64' });
    const [p] = split(a, 2, 0);
    const loss = sum(mul(p, p));
    loss.backward();
    expect(a.grad!.toArray()).toEqual([2, 4, 0, 0]);
    const [, q] = split(a, 2, 0);
    sum(q).backward();
    expect(a.grad!.toArray()).toEqual([2, 4, 1, 1]);
  });
});

describe('matmul', () => {
  it('2-D on odd sizes', () => {
    expectGrad(matmul, [randn([3, 5]), randn([5, 7])]);
    expectGrad(matmul, [randn([1, 1]), randn([1, 9])]);
    expect(matmul(tensor([[1, 2], [3, 4]]), tensor([[5], [6]])).toArray()).toEqual([[17], [39]]);
  });
  it('batched with a shared 2-D right operand', () => {
    expectGrad(matmul, [randn([2, 3, 4]), randn([4, 5])]);
  });
  it('batched with broadcast batch dims', () => {
    expectGrad(matmul, [randn([2, 1, 3, 4]), randn([3, 4, 2])]);
  });
  it('names the shapes when the inner sizes differ', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/matmul: shapes \[2,3\] @ \[4,5\] do not fit: the inner sizes are 3 and 4/);
  });
});

describe('index ops', () => {
  it('gather (embedding lookup) with repeated indices', () => {
    const idx = tensor([[0, 2], [2, 1]]);
    expectGrad((t) => gather(t, idx), [randn([3, 4])]);
    expect(gather(tensor([[1, 1], [2, 2], [3, 3]]), [2, 0]).toArray()).toEqual([[3, 3], [1, 1]]);
    expect(() => gather(zeros([3, 2]), [3])).toThrow(/index 3 at position 0 is out of range; expected an integer in \[0, 2\]/);
  });
  it('oneHot', () => {
    expect(oneHot([1, 0], 3).toArray()).toEqual([[0, 1, 0], [1, 0, 0]]);
  });
  it('where and maskedFill', () => {
    const cond = tensor([[1, 0, 1], [0, 0, 1]]);
    expectGrad((a, b) => where(cond, a, b), [randn([2, 3]), randn([3])]);
    const mask = tensor([[0, 1, 0]]);
    expectGrad((a) => maskedFill(a, mask, -5), [randn([4, 3])]);
    expect(maskedFill(tensor([[1, 2]]), tensor([[0, 1]]), -Infinity).toArray()).toEqual([[1, -Infinity]]);
  });
});
