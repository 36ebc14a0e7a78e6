import * as fs from 'fs';
import * as path from 'path';
import { DType, Random, Tensor, add, div, gradCheck, mean, mul, sqrt, square, sub, sum, tensor } from '@loopflow/tensor';
import { createLayerNorm, layerNorm, LayerNormModule } from './layer-norm';

interface Golden { config: { eps: number }; tensors: Record<string, { shape: number[]; data: number[] }> }
// Copied from the PyTorch 2.11 goldens (torch.nn.LayerNorm in float64, loss = sum(y * R)).
const golden: Golden = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', 'layernorm.json'), 'utf8'));

const rng = new Random(21);
const randn = (shape: number[], offset = 0): Tensor =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() + offset), shape);

function moduleOf(d: number, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): LayerNormModule {
  return { kind: 'layerNorm', config: { normalizedShape: d, eps, elementwiseAffine: weight !== null }, weight, bias };
}

function fromGolden(name: string, dtype: DType, requiresGrad = false): Tensor {
  const { shape, data } = golden.tensors[name];
  return tensor(data, shape, { dtype, requiresGrad });
}

function expectClose(actual: Tensor | null, expected: { shape: number[]; data: number[] }, tol: number): void {
  expect(actual).not.toBeNull();
  expect((actual as Tensor).shape).toEqual(expected.shape);
  let worst = 0;
  (actual as Tensor).data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected.data[i]))));
  expect(worst).toBeLessThan(tol);
}

describe('layerNorm', () => {
  it('normalises a hand-worked row', () => {
    // x = [1, 2, 3]: mean 2, biased variance 2/3, so y = [-1, 0, 1] * sqrt(3/2) (eps 0).
    const y = layerNorm(moduleOf(3, null, null, 0), tensor([[1, 2, 3]], undefined, { dtype: 'float64' }));
    const s = Math.sqrt(1.5);
    expect(Array.from(y.data)).toEqual([-s, 0, s].map((v) => expect.closeTo(v, 14)));
  });

  for (const [dtype, tol] of [['float64', 1e-6], ['float32', 1e-4]] as const) {
    it(`matches torch.nn.LayerNorm values and gradients (${dtype}, to ${tol})`, () => {
      const x = fromGolden('x', dtype, true);
      const m = moduleOf(6, fromGolden('weight', dtype, true), fromGolden('bias', dtype, true), golden.config.eps);
      const y = layerNorm(m, x);
      expectClose(y, golden.tensors.y, tol);
      sum(mul(y, fromGolden('R', dtype))).backward();
      expectClose(x.grad, golden.tensors.grad_x, tol);
      expectClose(m.weight?.grad ?? null, golden.tensors.grad_weight, tol);
      expectClose(m.bias?.grad ?? null, golden.tensors.grad_bias, tol);
      expect(y.dtype).toBe(dtype);
    });
  }

  it('has correct gradients for input, weight and bias (gradCheck, float64)', () => {
    const result = gradCheck((x, w, b) => layerNorm(moduleOf(5, w, b), x), [randn([2, 3, 5], 3), randn([5]), randn([5])]);
    if (!result.ok) throw new Error(JSON.stringify(result.inputs));
    expect(result.inputs.length).toBe(3);
    const plain = gradCheck((x) => layerNorm(moduleOf(4, null, null), x), [randn([3, 4])]);
    expect(plain.ok).toBe(true);
  });

  it('agrees with the same formula composed from primitive ops', () => {
    const x = randn([4, 7]);
    const w = randn([7]);
    const b = randn([7]);
    const mu = mean(x, -1, true);
    const centred = sub(x, mu);
    const composed = add(mul(div(centred, sqrt(add(mean(square(centred), -1, true), 1e-5))), w), b);
    const fused = layerNorm(moduleOf(7, w, b), x);
    fused.data.forEach((v, i) => expect(v).toBeCloseTo(composed.data[i], 12));
  });

  it('creates weight ones, bias zeros, eps 1e-5 (PyTorch defaults)', () => {
    const m = createLayerNorm(4);
    expect(m.config).toEqual({ normalizedShape: 4, eps: 1e-5, elementwiseAffine: true });
    expect(m.weight?.toArray()).toEqual([1, 1, 1, 1]);
    expect(m.bias?.toArray()).toEqual([0, 0, 0, 0]);
    expect(m.weight?.requiresGrad && m.bias?.requiresGrad).toBe(true);
    const bare = createLayerNorm(4, { elementwiseAffine: false, eps: 1e-3, dtype: 'float64' });
    expect(bare.weight).toBeNull();
    expect(bare.bias).toBeNull();
    expect(layerNorm(bare, randn([2, 4])).dtype).toBe('float64');
  });

  it('refuses a last dimension that differs from normalizedShape', () => {
    expect(() => layerNorm(createLayerNorm(4), tensor([[1, 2, 3]]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('[..., 4]') }));
  });
});
