import { Random, Tensor, add, gradCheck, matmul, mul, noGrad, sum, tensor, transpose, uniform } from '@loopflow/tensor';
import { createLinear, linear, LinearModule } from './linear';

const rng = new Random(11);
const randn = (shape: number[]): Tensor =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

function expectGradOk(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const result = gradCheck(fn, inputs);
  if (!result.ok) throw new Error(`gradCheck failed: ${JSON.stringify(result.inputs)}`);
  expect(result.inputs.length).toBe(inputs.length);
}

function moduleOf(weight: Tensor, bias: Tensor | null): LinearModule {
  return { kind: 'linear', config: { inFeatures: weight.shape[1], outFeatures: weight.shape[0], bias: bias !== null }, weight, bias };
}

describe('linear', () => {
  it('computes x W^T + b on a hand-worked case', () => {
    const m = moduleOf(tensor([[1, 2, 3], [4, 5, 6]]), tensor([0.5, -1]));
    const y = linear(m, tensor([[1, 0, -1], [2, 1, 0]]));
    expect(y.shape).toEqual([2, 2]);
    expect(y.toArray()).toEqual([[-1.5, -3], [4.5, 12]]);
  });

  it('matches matmul(x, transpose(W)) + b for a 3-D input and a 1-D input', () => {
    const m = moduleOf(randn([5, 4]), randn([5]));
    const x = randn([2, 3, 4]);
    const y = linear(m, x);
    const ref = add(matmul(x, transpose(m.weight)), m.bias as Tensor);
    expect(y.shape).toEqual([2, 3, 5]);
    y.data.forEach((v, i) => expect(v).toBeCloseTo(ref.data[i], 12));
    const v = linear(m, randn([4]));
    expect(v.shape).toEqual([5]);
  });

  it('has correct gradients for input, weight and bias (gradCheck, float64)', () => {
    expectGradOk((x, w, b) => linear(moduleOf(w, b), x), [randn([2, 3, 4]), randn([5, 4]), randn([5])]);
    expectGradOk((x, w) => linear(moduleOf(w, null), x), [randn([3, 4]), randn([2, 4])]);
    expectGradOk((x, w, b) => linear(moduleOf(w, b), x), [randn([4]), randn([3, 4]), randn([3])]);
  });

  it('gives the same values and gradients in float32 (active backend) as in float64 on a larger case', () => {
    const m64 = moduleOf(randn([40, 48]), randn([40]));
    const x64 = randn([3, 24, 48]);
    const r64 = randn([3, 24, 40]);
    m64.weight.requiresGrad = true;
    (m64.bias as Tensor).requiresGrad = true;
    x64.requiresGrad = true;
    const m32 = moduleOf(m64.weight.to('float32'), (m64.bias as Tensor).to('float32'));
    m32.weight.requiresGrad = true;
    (m32.bias as Tensor).requiresGrad = true;
    const x32 = x64.to('float32');
    x32.requiresGrad = true;
    const y64 = linear(m64, x64);
    const y32 = linear(m32, x32);
    sum(mul(y64, r64)).backward();
    sum(mul(y32, r64.to('float32'))).backward();
    const worst = (a: Tensor, b: Tensor): number => {
      let w = 0;
      for (let i = 0; i < a.size; i++) w = Math.max(w, Math.abs(a.data[i] - b.data[i]));
      return w;
    };
    expect(worst(y32, y64)).toBeLessThan(1e-4);
    expect(worst(x32.grad as Tensor, x64.grad as Tensor)).toBeLessThan(1e-4);
    expect(worst(m32.weight.grad as Tensor, m64.weight.grad as Tensor)).toBeLessThan(1e-3);
    expect(worst((m32.bias as Tensor).grad as Tensor, (m64.bias as Tensor).grad as Tensor)).toBeLessThan(1e-3);
  });

  it('accumulates parameter gradients through backward', () => {
    const m = createLinear(new Random(1), 3, 2);
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    sum(linear(m, x)).backward();
    // d sum / dW[o, i] = sum over rows of x[:, i]; d sum / db = number of rows
    expect(m.weight.grad?.toArray()).toEqual([[5, 7, 9], [5, 7, 9]]);
    expect(m.bias?.grad?.toArray()).toEqual([2, 2]);
    expect(x.grad).toBeNull();
  });

  it('records nothing under noGrad', () => {
    const m = createLinear(new Random(1), 3, 2);
    const y = noGrad(() => linear(m, tensor([[1, 2, 3]])));
    expect(y.requiresGrad).toBe(false);
    expect(y.node).toBeNull();
  });

  it('initialises like PyTorch: U(-1/sqrt(in), 1/sqrt(in)), weight then bias, trainable', () => {
    const m = createLinear(new Random(5), 16, 8);
    const bound = 1 / 4;
    expect(m.weight.shape).toEqual([8, 16]);
    expect(m.bias?.shape).toEqual([8]);
    expect(m.weight.requiresGrad && m.bias?.requiresGrad).toBe(true);
    const all = [...m.weight.data, ...(m.bias as Tensor).data];
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    const r = new Random(5);
    const w = uniform(r, [8, 16], -bound, bound);
    const b = uniform(r, [8], -bound, bound);
    expect(Array.from(m.weight.data)).toEqual(Array.from(w.data));
    expect(Array.from((m.bias as Tensor).data)).toEqual(Array.from(b.data));
    expect(createLinear(new Random(5), 16, 8, { bias: false }).bias).toBeNull();
    expect(createLinear(new Random(5), 2, 2, { dtype: 'float64' }).weight.dtype).toBe('float64');
  });

  it('refuses a wrong input size or a dtype mix, naming the sizes', () => {
    const m = createLinear(new Random(1), 3, 2);
    expect(() => linear(m, tensor([[1, 2]]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('[..., 3]') }));
    expect(() => linear(m, tensor([[1, 2, 3]], undefined, { dtype: 'float64' }))).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
    expect(() => createLinear(new Random(1), -1, 2)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
