import { Random, Tensor, gradCheck, mul, sum, tensor } from '@loopflow/tensor';
import { createEmbedding, embedding, EmbeddingModule } from './embedding';

const moduleOf = (weight: Tensor): EmbeddingModule => ({ kind: 'embedding', config: { numEmbeddings: weight.shape[0], embeddingDim: weight.shape[1] }, weight });

describe('embedding', () => {
  it('looks up rows: [...S] -> [...S, D]', () => {
    const m = moduleOf(tensor([[0, 1], [10, 11], [20, 21]]));
    const y = embedding(m, tensor([[2, 0, 2], [1, 1, 0]]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(y.toArray()).toEqual([[[20, 21], [0, 1], [20, 21]], [[10, 11], [10, 11], [0, 1]]]);
    expect(embedding(m, [1]).toArray()).toEqual([[10, 11]]);
  });

  it('adds the gradients of repeated indices (hand-worked and gradCheck)', () => {
    const m = createEmbedding(new Random(2), 4, 3);
    const upstream = tensor([[1, 2, 3], [10, 20, 30], [100, 200, 300]]);
    sum(mul(embedding(m, [3, 1, 3]), upstream)).backward();
    expect(m.weight.grad?.toArray()).toEqual([[0, 0, 0], [10, 20, 30], [0, 0, 0], [101, 202, 303]]);

    const rng = new Random(3);
    const w = new Tensor(Float64Array.from({ length: 15 }, () => rng.normal()), [5, 3]);
    const result = gradCheck((table) => embedding(moduleOf(table), tensor([[0, 4, 4], [4, 2, 0]])), [w]);
    expect(result.ok).toBe(true);
    expect(result.inputs.length).toBe(1);
  });

  it('initialises N(0, 1) and is reproducible from the seed', () => {
    const m = createEmbedding(new Random(9), 200, 50);
    const d = Array.from(m.weight.data);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length;
    expect(Math.abs(mean)).toBeLessThan(0.05); // sd of the mean is 0.01
    expect(Math.abs(variance - 1)).toBeLessThan(0.06);
    expect(m.weight.requiresGrad).toBe(true);
    expect(Array.from(createEmbedding(new Random(9), 200, 50).weight.data)).toEqual(d);
  });

  it('refuses indices out of range', () => {
    const m = createEmbedding(new Random(1), 3, 2);
    expect(() => embedding(m, [0, 3])).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
    expect(() => embedding(m, [1.5])).toThrow(expect.objectContaining({ code: 'INDEX_OUT_OF_RANGE' }));
  });
});
