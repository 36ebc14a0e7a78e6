import { Random, Tensor, grad, mul, noGrad, sum } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { createDecoder, decoder } from './decoder';
import { gradCheckModel, maxAbsDiff, randn, randomTokens } from './test-helpers';

describe('decoder (decoder-only, causal)', () => {
  const rng = new Random(21);
  const small = { dModel: 4, heads: 2, layers: 2, mlpWidth: 5 };

  it('maps [B, T] token ids to [B, T, outputSize] and names its parameters', () => {
    const model = createDecoder(rng, { ...small, input: { kind: 'tokens', vocabSize: 5 }, outputSize: 5, positional: 'learned', maxLength: 8 });
    const names = namedParameters(model).map(([n]) => n);
    expect(names.slice(0, 4)).toEqual(['embed.weight', 'positions.embedding.weight', 'blocks.0.norm1.weight', 'blocks.0.norm1.bias']);
    expect(names).toContain('blocks.1.self_attn.in_proj_weight');
    expect(names.slice(-4)).toEqual(['norm.weight', 'norm.bias', 'head.weight', 'head.bias']);
    const y = decoder(model, randomTokens(rng, 3, 6, 5));
    expect(y.shape).toEqual([3, 6, 5]);
    expect(() => decoder(model, randomTokens(rng, 1, 9, 5))).toThrow(expect.objectContaining({ code: 'SEQUENCE_TOO_LONG' }));
    expect(() => decoder(model, randn(rng, [1, 3, 2]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });

  it('passes gradCheck (float64) with token input and learned positions', () => {
    const model = createDecoder(rng, { ...small, input: { kind: 'tokens', vocabSize: 5 }, outputSize: 3, positional: 'learned', maxLength: 5 }, { dtype: 'float64' });
    const ids = randomTokens(rng, 2, 3, 5);
    expect(gradCheckModel(model, [], (m) => decoder(m, ids)).ok).toBe(true);
  });

  it('passes gradCheck (float64) with feature input and sinusoidal positions, in x and every parameter', () => {
    const model = createDecoder(rng, { ...small, layers: 1, input: { kind: 'features', size: 3 }, outputSize: 1, activation: 'relu' }, { dtype: 'float64' });
    const x = randn(rng, [2, 3, 3]);
    expect(gradCheckModel(model, [x], (m, a) => decoder(m, a)).ok).toBe(true);
  });

  it('is causal: outputs up to t do not change when inputs after t change', () => {
    const model = createDecoder(rng, { dModel: 8, heads: 2, layers: 2, input: { kind: 'tokens', vocabSize: 7 }, outputSize: 7 }, { dtype: 'float64' });
    const ids = randomTokens(rng, 2, 9, 7);
    const before = decoder(model, ids);
    const t = 4;
    const changed = ids.clone();
    for (let b = 0; b < 2; b++) for (let s = t + 1; s < 9; s++) changed.data[b * 9 + s] = (ids.data[b * 9 + s] + 1 + s) % 7;
    const after = decoder(model, changed);
    for (let b = 0; b < 2; b++) {
      const lo = b * 9 * 7;
      expect(maxAbsDiff(before.data.slice(lo, lo + (t + 1) * 7), after.data.slice(lo, lo + (t + 1) * 7))).toBe(0);
    }
    expect(maxAbsDiff(before.data, after.data)).toBeGreaterThan(1e-6);
  });

  it('gives the same outputs and gradients with query blocks as in one piece', () => {
    const model = createDecoder(rng, { dModel: 4, heads: 2, layers: 1, input: { kind: 'features', size: 2 }, outputSize: 2 }, { dtype: 'float64' });
    const x = randn(rng, [2, 11, 2]);
    const params = namedParameters(model).map(([, p]) => p);
    const run = (queryChunk: number) => {
      const y = decoder(model, x, { queryChunk });
      return { y, g: grad(sum(mul(y, y)), params) };
    };
    const whole = run(11);
    const blocks = run(4);
    expect(maxAbsDiff(whole.y.data, blocks.y.data)).toBeLessThan(1e-13);
    whole.g.forEach((g, i) => expect(maxAbsDiff(g.data, blocks.g[i].data)).toBeLessThan(1e-11));
  });

  it('trains on a long sequence (B = 1, T = 1024): forward and backward finish with finite gradients', () => {
    const model = createDecoder(new Random(1), { dModel: 16, heads: 2, layers: 1, input: { kind: 'tokens', vocabSize: 10 }, outputSize: 10 });
    const ids = randomTokens(new Random(2), 1, 1024, 10);
    const y = decoder(model, ids, { training: true }); // [1, 1024, 10]
    expect(y.shape).toEqual([1, 1024, 10]);
    sum(mul(y, y)).backward();
    const wq = model.blocks[0].self_attn.in_proj_weight.grad as Tensor;
    expect(wq.data.every((v) => Number.isFinite(v))).toBe(true);
    expect(wq.data.some((v) => v !== 0)).toBe(true);
    const inference = noGrad(() => decoder(model, ids));
    expect(maxAbsDiff(inference.data, y.data)).toBeLessThan(1e-5);
  });
});
