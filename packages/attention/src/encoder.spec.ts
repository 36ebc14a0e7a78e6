import { Random, Tensor } from '@loopflow/tensor';
import { createEncoder, encoder } from './encoder';
import { paddingMask } from './masks';
import { gradCheckModel, maxAbsDiff, randn, randomTokens } from './test-helpers';

describe('encoder (bidirectional, pooled)', () => {
  const rng = new Random(31);

  it('maps [B, T, F] to [B, outputSize] and passes gradCheck (float64) with padding, every pooling', () => {
    for (const pooling of ['mean', 'first', 'last'] as const) {
      const model = createEncoder(rng, { dModel: 4, heads: 2, layers: 1, mlpWidth: 3, input: { kind: 'features', size: 3 }, outputSize: 2, pooling }, { dtype: 'float64' });
      const x = randn(rng, [2, 4, 3]);
      expect(encoder(model, x).shape).toEqual([2, 2]);
      expect(gradCheckModel(model, [x], (m, a) => encoder(m, a, { lengths: [4, 3] })).ok).toBe(true);
    }
  });

  it('passes gradCheck (float64) with token input and learned positions', () => {
    const model = createEncoder(rng, { dModel: 4, heads: 2, layers: 1, mlpWidth: 4, input: { kind: 'tokens', vocabSize: 4 }, outputSize: 3, positional: 'learned', maxLength: 4 }, { dtype: 'float64' });
    const ids = randomTokens(rng, 2, 4, 4);
    expect(gradCheckModel(model, [], (m) => encoder(m, ids, { lengths: [2, 4] })).ok).toBe(true);
  });

  it.each(['mean', 'first', 'last'] as const)('%s pooling: outputs do not depend on the padded positions', (pooling) => {
    const model = createEncoder(rng, { dModel: 8, heads: 2, layers: 2, input: { kind: 'features', size: 3 }, outputSize: 2, pooling }, { dtype: 'float64' });
    const lengths = [6, 3, 1];
    const x = randn(rng, [3, 6, 3]);
    const changed = x.clone();
    lengths.forEach((n, b) => {
      for (let t = n; t < 6; t++) for (let f = 0; f < 3; f++) changed.data[(b * 6 + t) * 3 + f] = 10 * Math.sin(b + t + f);
    });
    const a = encoder(model, x, { lengths });
    const b = encoder(model, changed, { lengths });
    expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-12);
    // keyMask gives the same as lengths; without either, padding changes the result
    expect(maxAbsDiff(encoder(model, x, { keyMask: paddingMask(lengths, 6, { dtype: 'float64' }) }).data, a.data)).toBe(0);
    expect(maxAbsDiff(encoder(model, x).data, encoder(model, changed).data)).toBeGreaterThan(1e-6);
  });

  it('is invariant to the order of the positions without positional encoding and with mean pooling', () => {
    const model = createEncoder(rng, { dModel: 6, heads: 3, layers: 2, input: { kind: 'features', size: 2 }, outputSize: 3, positional: 'none' }, { dtype: 'float64' });
    const x = randn(rng, [1, 5, 2]);
    const order = [3, 0, 4, 1, 2];
    const shuffled = new Tensor(Float64Array.from(order.flatMap((t) => [x.data[2 * t], x.data[2 * t + 1]])), [1, 5, 2]);
    expect(maxAbsDiff(encoder(model, x).data, encoder(model, shuffled).data)).toBeLessThan(1e-12);
  });

  it('rejects a lengths list of the wrong size, and lengths with keyMask', () => {
    const model = createEncoder(rng, { dModel: 4, heads: 2, layers: 1, input: { kind: 'features', size: 2 }, outputSize: 1 });
    const x = randn(rng, [2, 3, 2], { dtype: 'float32' });
    expect(() => encoder(model, x, { lengths: [3] })).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => encoder(model, x, { lengths: [3, 2], keyMask: paddingMask([3, 2], 3) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createEncoder(rng, { dModel: 4, heads: 2, layers: 1, input: { kind: 'features', size: 2 }, outputSize: 1, pooling: 'max' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
