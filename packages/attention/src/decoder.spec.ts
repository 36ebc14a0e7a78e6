import { Random, Tensor, grad, mul, noGrad, slice, sum } from '@loopflow/tensor';
import { paddingMask } from './masks';
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

  it('outputsFrom: the rows of the full output, and the same gradients for a loss over those rows (float64)', () => {
    const model = createDecoder(rng, { dModel: 6, heads: 3, layers: 3, mlpWidth: 7, input: { kind: 'features', size: 2 }, outputSize: 3 }, { dtype: 'float64' });
    const T = 11;
    const x = randn(rng, [3, T, 2], { requiresGrad: true });
    const params = namedParameters(model).map(([, p]) => p);
    for (const options of [{}, { keyMask: paddingMask([11, 0, 6], T) }]) {
      const full = decoder(model, x, options); // [3, T, 3]
      for (const from of [0, 1, 7, T - 1]) {
        const R = randn(rng, [3, T - from, 3]);
        const part = decoder(model, x, { ...options, outputsFrom: from });
        expect(part.shape).toEqual([3, T - from, 3]);
        expect(maxAbsDiff(part.data, slice(full, 1, from).data)).toBeLessThan(1e-13);
        const gPart = grad(sum(mul(part, R)), [x, ...params]);
        const gFull = grad(sum(mul(slice(decoder(model, x, options), 1, from), R)), [x, ...params]);
        gPart.forEach((g, i) => expect(maxAbsDiff(g.data, gFull[i].data)).toBeLessThan(1e-12));
      }
    }
    const small2 = createDecoder(rng, { ...small, input: { kind: 'features', size: 2 }, outputSize: 2 }, { dtype: 'float64' });
    const x2 = randn(rng, [2, 4, 2]);
    expect(gradCheckModel(small2, [x2], (m, a) => decoder(m, a, { outputsFrom: 3 })).ok).toBe(true);
  });

  it('outputsFrom on the fused float32 path: the rows of the full output and the same gradients', () => {
    // The comparison's shape: heads of width 5, the last position read.
    const model = createDecoder(new Random(4), { dModel: 20, heads: 4, layers: 2, input: { kind: 'features', size: 2 }, outputSize: 1 });
    const T = 70;
    const x = randn(new Random(5), [4, T, 2], { dtype: 'float32' });
    const params = namedParameters(model).map(([, p]) => p);
    const full = decoder(model, x);
    const gFull = grad(sum(slice(full, 1, T - 1)), params);
    const part = decoder(model, x, { outputsFrom: T - 1 });
    expect(part.shape).toEqual([4, 1, 1]);
    expect(relative(part.data, slice(full, 1, T - 1).data)).toBeLessThan(1e-5);
    const gPart = grad(sum(part), params);
    gPart.forEach((g, i) => expect([namedParameters(model)[i][0], relative(g.data, gFull[i].data) < 1e-4]).toEqual([namedParameters(model)[i][0], true]));
  });

  it('rejects a bad outputsFrom with INVALID_ARGUMENT', () => {
    const model = createDecoder(rng, { ...small, input: { kind: 'features', size: 2 }, outputSize: 2 });
    const x = randn(rng, [1, 4, 2], { dtype: 'float32' });
    for (const bad of [-1, 4, 0.5]) {
      expect(() => decoder(model, x, { outputsFrom: bad })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^decoder: outputsFrom/) }));
    }
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

/** Largest |a - b| over the largest |b| (at least 1e-3). */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-3;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
