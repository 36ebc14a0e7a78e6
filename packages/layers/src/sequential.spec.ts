import { Random, Tensor, gradCheck, relu, tanh, tensor } from '@loopflow/tensor';
import { createActivation } from './activation';
import { createDropout } from './dropout';
import { createEmbedding } from './embedding';
import { createLayerNorm } from './layer-norm';
import { createLinear, linear } from './linear';
import { createSequential, forward, Module } from './sequential';

describe('sequential and forward', () => {
  it('runs the layers in order', () => {
    const rng = new Random(1);
    const l1 = createLinear(rng, 3, 4, { dtype: 'float64' });
    const l2 = createLinear(rng, 4, 2, { dtype: 'float64' });
    const model = createSequential([l1, createActivation('relu'), l2, createActivation('tanh')]);
    const x = tensor([[1, -2, 0.5], [0, 1, 2]], undefined, { dtype: 'float64' });
    const expected = tanh(linear(l2, relu(linear(l1, x))));
    expect(forward(model, x).toList()).toEqual(expected.toList());
  });

  it('has correct gradients through Linear, tanh, LayerNorm, sigmoid, Linear (gradCheck, float64)', () => {
    const rng = new Random(2);
    const build = (w1: Tensor, b1: Tensor, g: Tensor, beta: Tensor, w2: Tensor): Module => createSequential([
      { kind: 'linear', config: { inFeatures: 3, outFeatures: 5, bias: true }, weight: w1, bias: b1 },
      createActivation('tanh'),
      { kind: 'layerNorm', config: { normalizedShape: 5, eps: 1e-5, elementwiseAffine: true }, weight: g, bias: beta },
      createActivation('sigmoid'),
      { kind: 'linear', config: { inFeatures: 5, outFeatures: 2, bias: false }, weight: w2, bias: null },
    ]);
    const r = (shape: number[]) => new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
    const result = gradCheck((x, w1, b1, g, beta, w2) => forward(build(w1, b1, g, beta, w2), x), [r([4, 3]), r([5, 3]), r([5]), r([5]), r([5]), r([2, 5])]);
    if (!result.ok) throw new Error(JSON.stringify(result.inputs));
    expect(result.inputs.length).toBe(6);
  });

  it('applies dropout only with training: true (default is evaluation)', () => {
    const model = createSequential([createDropout(0.5, 3)]);
    const x = tensor(Array.from({ length: 64 }, () => 1), [64]);
    expect(forward(model, x)).toBe(x);
    expect(forward(model, x, { training: false })).toBe(x);
    expect(forward(model, x, { training: true }).toList()).toContain(0);
  });

  it('dispatches an embedding on a tensor of indices', () => {
    const emb = createEmbedding(new Random(1), 5, 3);
    const y = forward(createSequential([emb, createLayerNorm(3)]), tensor([[0, 4], [2, 2]]));
    expect(y.shape).toEqual([2, 2, 3]);
  });

  it('refuses an unknown module kind and an unknown activation', () => {
    expect(() => forward({ kind: 'conv' } as unknown as Module, tensor([1]))).toThrow(expect.objectContaining({ code: 'UNKNOWN_MODULE' }));
    expect(() => createActivation('gelu' as 'tanh')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
