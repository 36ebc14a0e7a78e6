import { Random, Tensor, gradCheck, grad, mul, noGrad, slice, sum, tensor } from '@loopflow/tensor';
import { scaledDotProductAttention } from './scaled-dot-product';
import { causalMask, paddingMask } from './masks';
import { maxAbsDiff, randn } from './test-helpers';

/**
 * An independent reference: attention written as loops over plain arrays, with
 * `allowed(b, h, i, j)` deciding the mask; a row with nothing allowed gives zeros.
 */
function naiveAttention(q: Tensor, k: Tensor, v: Tensor, allowed: (b: number, h: number, i: number, j: number) => boolean) {
  const [B, H, Tq, dk] = q.shape;
  const Tk = k.shape[2];
  const dv = v.shape[3];
  const out = new Float64Array(B * H * Tq * dv);
  const w = new Float64Array(B * H * Tq * Tk);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let i = 0; i < Tq; i++) {
        const s: number[] = [];
        for (let j = 0; j < Tk; j++) {
          let dot = 0;
          for (let c = 0; c < dk; c++) dot += q.get(b, h, i, c) * k.get(b, h, j, c);
          s.push(allowed(b, h, i, j) ? dot / Math.sqrt(dk) : -Infinity);
        }
        const m = Math.max(...s);
        if (m === -Infinity) continue;
        const e = s.map((x) => Math.exp(x - m));
        const z = e.reduce((a, c) => a + c, 0);
        for (let j = 0; j < Tk; j++) {
          const p = e[j] / z;
          w[((b * H + h) * Tq + i) * Tk + j] = p;
          for (let c = 0; c < dv; c++) out[((b * H + h) * Tq + i) * dv + c] += p * v.get(b, h, j, c);
        }
      }
  return { out, w };
}

describe('scaledDotProductAttention', () => {
  const rng = new Random(7);
  const B = 2, H = 3, T = 5, dk = 3, dv = 2;
  const q = randn(rng, [B, H, T, dk]);
  const k = randn(rng, [B, H, T, dk]);
  const v = randn(rng, [B, H, T, dv]);

  it('matches a hand-worked one-query case', () => {
    // q = [1, 0], keys [1, 0] and [0, 1]: scores 1/sqrt(2) and 0.
    const r = scaledDotProductAttention(tensor([[[1, 0]]]), tensor([[[1, 0], [0, 1]]]), tensor([[[10], [20]]]));
    const p0 = Math.exp(1 / Math.SQRT2) / (Math.exp(1 / Math.SQRT2) + 1);
    expect(r.weights.shape).toEqual([1, 1, 2]);
    expect(r.weights.data[0]).toBeCloseTo(p0, 6);
    expect(r.weights.data[1]).toBeCloseTo(1 - p0, 6);
    expect(r.output.data[0]).toBeCloseTo(10 * p0 + 20 * (1 - p0), 4);
  });

  it('matches a loop reference without a mask, with causal, and with causal + key padding', () => {
    const lengths = [5, 3];
    const cases = [
      { options: {}, allowed: () => true },
      { options: { causal: true }, allowed: (_b: number, _h: number, i: number, j: number) => j <= i },
      { options: { causal: true, keyMask: paddingMask(lengths, T) }, allowed: (b: number, _h: number, i: number, j: number) => j <= i && j < lengths[b] },
    ];
    for (const { options, allowed } of cases) {
      const r = scaledDotProductAttention(q, k, v, options);
      const ref = naiveAttention(q, k, v, allowed);
      expect(r.output.shape).toEqual([B, H, T, dv]);
      expect(r.weights.shape).toEqual([B, H, T, T]);
      expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
      expect(maxAbsDiff(r.weights.data, ref.w)).toBeLessThan(1e-12);
    }
  });

  it('applies a general mask broadcast over batch and heads, or per head', () => {
    const shared = tensor([[1, 0, 1, 0, 1], [0, 1, 1, 1, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]]); // [Tq, Tk]
    let r = scaledDotProductAttention(q, k, v, { mask: shared });
    let ref = naiveAttention(q, k, v, (_b, _h, i, j) => shared.get(i, j) !== 0);
    expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
    const perHead = new Tensor(Float64Array.from({ length: H * T * T }, (_, n) => ((n * 7) % 3 === 0 ? 0 : 1)), [H, T, T]);
    r = scaledDotProductAttention(q, k, v, { mask: perHead });
    ref = naiveAttention(q, k, v, (_b, h, i, j) => perHead.get(h, i, j) !== 0);
    expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.weights.data, ref.w)).toBeLessThan(1e-12);
  });

  it('makes the causal upper triangle exactly 0 and every row sum to 1', () => {
    const { weights } = scaledDotProductAttention(q, k, v, { causal: true });
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++)
        for (let i = 0; i < T; i++) {
          let s = 0;
          for (let j = 0; j < T; j++) {
            if (j > i) expect(weights.get(b, h, i, j)).toBe(0);
            s += weights.get(b, h, i, j);
          }
          expect(s).toBeCloseTo(1, 12);
        }
  });

  it('gives zeros, not NaN, for a fully masked row, and finite gradients', () => {
    const keyMask = paddingMask([0, 2], T); // sequence 0 has no real key at all
    const qg = q.clone();
    qg.requiresGrad = true;
    const r = scaledDotProductAttention(qg, k, v, { keyMask });
    expect(r.output.data.every((x) => Number.isFinite(x))).toBe(true);
    expect(r.weights.data.every((x) => Number.isFinite(x))).toBe(true);
    for (let i = 0; i < H * T * dv; i++) expect(r.output.data[i]).toBe(0); // batch 0
    const [g] = grad(sum(mul(r.output, r.output)), [qg]);
    expect(g.data.every((x) => Number.isFinite(x))).toBe(true);
    // A mask row of zeros (here: query 2 may look nowhere) behaves the same.
    const mask = causalMask(T, { dtype: 'float64' });
    for (let j = 0; j < T; j++) mask.data[2 * T + j] = 0;
    const r2 = scaledDotProductAttention(q, k, v, { mask });
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let j = 0; j < T; j++) expect(r2.weights.get(b, h, 2, j)).toBe(0);
  });

  it('passes gradCheck (float64) in q, k and v: causal + padding, a fully masked row, cross-attention', () => {
    const keyMask = paddingMask([4, 0], T);
    let r = gradCheck((a, b, c) => scaledDotProductAttention(a, b, c, { causal: true, keyMask }).output, [q, k, v]);
    expect(r.ok).toBe(true);
    r = gradCheck((a, b, c) => scaledDotProductAttention(a, b, c, { causal: true }).weights, [q, k, v]);
    expect(r.ok).toBe(true);
    const kx = randn(rng, [B, H, 7, dk]);
    const vx = randn(rng, [B, H, 7, dv]);
    r = gradCheck((a, b, c) => scaledDotProductAttention(a, b, c).output, [q, kx, vx]);
    expect(r.ok).toBe(true);
  });

  it('accepts 3-D [B, T, d] inputs as one head, with a [B, Tq, Tk] mask', () => {
    const q3 = randn(rng, [2, 4, 3]);
    const k3 = randn(rng, [2, 6, 3]);
    const v3 = randn(rng, [2, 6, 5]);
    const mask = new Tensor(Float64Array.from({ length: 2 * 4 * 6 }, (_, n) => (n % 4 === 1 ? 0 : 1)), [2, 4, 6]);
    const r = scaledDotProductAttention(q3, k3, v3, { mask });
    expect(r.output.shape).toEqual([2, 4, 5]);
    expect(r.weights.shape).toEqual([2, 4, 6]);
    const ref = naiveAttention(reshape4(q3), reshape4(k3), reshape4(v3), (b, _h, i, j) => mask.get(b, i, j) !== 0);
    expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
    expect(gradCheck((a, b, c) => scaledDotProductAttention(a, b, c, { mask, causal: true }).output, [q3, k3, v3]).ok).toBe(true);
  });

  it('gives the same output, weights and gradients in query blocks as in one piece', () => {
    const T2 = 7;
    const q2 = randn(rng, [2, 2, T2, 3], { requiresGrad: true });
    const k2 = randn(rng, [2, 2, T2, 3], { requiresGrad: true });
    const v2 = randn(rng, [2, 2, T2, 4], { requiresGrad: true });
    const keyMask = paddingMask([7, 5], T2);
    for (const causal of [false, true]) {
      const run = (queryChunk: number) => {
        const r = scaledDotProductAttention(q2, k2, v2, { causal, keyMask, queryChunk });
        return { r, g: grad(sum(mul(r.output, r.output)), [q2, k2, v2]) };
      };
      const whole = run(T2);
      for (const chunk of [1, 2, 3]) {
        const part = run(chunk);
        expect(maxAbsDiff(part.r.output.data, whole.r.output.data)).toBeLessThan(1e-13);
        expect(maxAbsDiff(part.r.weights.data, whole.r.weights.data)).toBeLessThan(1e-13);
        for (let i = 0; i < 3; i++) expect(maxAbsDiff(part.g[i].data, whole.g[i].data)).toBeLessThan(1e-12);
      }
    }
    const noWeights = scaledDotProductAttention(q2, k2, v2, { causal: true, queryChunk: 2, returnWeights: false });
    expect(noWeights.weights).toBeNull();
  });

  it('runs a long causal sequence (T = 1024) in query blocks', () => {
    const rngL = new Random(3);
    const T3 = 1024;
    const ql = randn(rngL, [1, 2, T3, 8], { dtype: 'float32' });
    const kl = randn(rngL, [1, 2, T3, 8], { dtype: 'float32' });
    const vl = randn(rngL, [1, 2, T3, 8], { dtype: 'float32' });
    const r = noGrad(() => scaledDotProductAttention(ql, kl, vl, { causal: true, returnWeights: false }));
    expect(r.output.shape).toEqual([1, 2, T3, 8]);
    expect(r.output.data.every((x) => Number.isFinite(x))).toBe(true);
    // The first query sees only the first key: its output is v[0].
    for (let c = 0; c < 8; c++) expect(r.output.data[c]).toBeCloseTo(vl.data[c], 6);
  });

  it('queryOffset: the last queries against every key match the loop reference and the rows of the full call', () => {
    const T2 = 9;
    const lengths = [9, 6];
    const rngO = new Random(11);
    const q2 = randn(rngO, [2, 2, T2, 3]);
    const k2 = randn(rngO, [2, 2, T2, 3]);
    const v2 = randn(rngO, [2, 2, T2, 4]);
    const keyMask = paddingMask(lengths, T2);
    for (const offset of [0, 1, 4, T2 - 1]) {
      const qo = slice(q2, 2, offset); // [2, 2, T2 - offset, 3]: queries at key positions offset..T2-1
      for (const chunk of [1, 2, T2]) {
        const r = scaledDotProductAttention(qo, k2, v2, { causal: true, keyMask, queryOffset: offset, queryChunk: chunk });
        const ref = naiveAttention(qo, k2, v2, (b, _h, i, j) => j <= offset + i && j < lengths[b]);
        expect(r.output.shape).toEqual([2, 2, T2 - offset, 4]);
        expect(r.weights.shape).toEqual([2, 2, T2 - offset, T2]);
        expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
        expect(maxAbsDiff(r.weights.data, ref.w)).toBeLessThan(1e-12);
        const full = scaledDotProductAttention(q2, k2, v2, { causal: true, keyMask, queryChunk: chunk });
        expect(maxAbsDiff(r.output.data, slice(full.output, 2, offset).data)).toBeLessThan(1e-12);
      }
      // Without causal the offset changes nothing.
      const free = scaledDotProductAttention(qo, k2, v2, { keyMask, queryOffset: offset });
      expect(maxAbsDiff(free.output.data, naiveAttention(qo, k2, v2, (b, _h, _i, j) => j < lengths[b]).out)).toBeLessThan(1e-12);
    }
    // A general mask [Tq, Tk] combined with the offset; a fully masked row gives zeros.
    const qo = slice(q2, 2, 5); // 4 queries at 5..8
    const mask = tensor([[1, 1, 0, 0, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0, 1, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1]]);
    const r = scaledDotProductAttention(qo, k2, v2, { causal: true, mask, queryOffset: 5 });
    const ref = naiveAttention(qo, k2, v2, (_b, _h, i, j) => j <= 5 + i && mask.get(i, j) !== 0);
    expect(maxAbsDiff(r.output.data, ref.out)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.weights.data, ref.w)).toBeLessThan(1e-12);
  });

  it('queryOffset: gradients equal those of the full call for a loss over the same rows, and pass gradCheck', () => {
    const rngG = new Random(12);
    const T2 = 7, offset = 4;
    const q2 = randn(rngG, [2, 2, T2, 3], { requiresGrad: true });
    const k2 = randn(rngG, [2, 2, T2, 3], { requiresGrad: true });
    const v2 = randn(rngG, [2, 2, T2, 2], { requiresGrad: true });
    const keyMask = paddingMask([7, 5], T2);
    const R = randn(rngG, [2, 2, T2 - offset, 2]);
    const full = scaledDotProductAttention(q2, k2, v2, { causal: true, keyMask, queryChunk: 3 }).output;
    const gFull = grad(sum(mul(slice(full, 2, offset), R)), [q2, k2, v2]);
    const part = scaledDotProductAttention(slice(q2, 2, offset), k2, v2, { causal: true, keyMask, queryOffset: offset, queryChunk: 2 }).output;
    const gPart = grad(sum(mul(part, R)), [q2, k2, v2]);
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(gPart[i].data, gFull[i].data)).toBeLessThan(1e-12);
    const check = gradCheck((qq, kk, vv) => scaledDotProductAttention(qq, kk, vv, { causal: true, keyMask, queryOffset: offset }).output, [slice(q2, 2, offset).detach(), k2.detach(), v2.detach()]);
    expect(check.ok).toBe(true);
  });

  it('rejects a bad queryOffset with INVALID_ARGUMENT, saying what was expected', () => {
    const code = { code: 'INVALID_ARGUMENT' };
    const q1 = slice(q, 2, 3); // 2 queries of 5 keys
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => scaledDotProductAttention(q1, k, v, { causal: true, queryOffset: bad })).toThrow(expect.objectContaining(code));
    }
    expect(() => scaledDotProductAttention(q1, k, v, { causal: true, queryOffset: 4 })).toThrow(expect.objectContaining(code));
    expect(() => scaledDotProductAttention(q1, k, v, { causal: true, queryOffset: 4 })).toThrow(/queryOffset \+ Tq <= Tk.*queryOffset 3/);
    expect(scaledDotProductAttention(q1, k, v, { causal: true, queryOffset: 3 }).output.shape).toEqual([B, H, 2, dv]);
  });

  it('rejects mismatched shapes and masks with SHAPE_MISMATCH', () => {
    const code = { code: 'SHAPE_MISMATCH' };
    expect(() => scaledDotProductAttention(q, randn(rng, [B, H, T, 4]), v)).toThrow(expect.objectContaining(code));
    expect(() => scaledDotProductAttention(q, k, randn(rng, [B, H, 4, dv]))).toThrow(expect.objectContaining(code));
    expect(() => scaledDotProductAttention(q, k, v, { keyMask: paddingMask([1, 2, 3], T) })).toThrow(expect.objectContaining(code));
    expect(() => scaledDotProductAttention(q, k, v, { mask: causalMask(4) })).toThrow(expect.objectContaining(code));
    expect(() => scaledDotProductAttention(q, k, v, { queryChunk: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

/** [B, T, d] -> [B, 1, T, d] without autograd (for the loop reference). */
function reshape4(t: Tensor): Tensor {
  return new Tensor(t.data, [t.shape[0], 1, t.shape[1], t.shape[2]]);
}
