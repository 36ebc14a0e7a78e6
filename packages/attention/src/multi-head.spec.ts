import * as fs from 'fs';
import * as path from 'path';
import { DType, Random, Tensor, grad, mul, slice, sum, tensor } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { createMultiHeadAttention, multiHeadAttention, multiHeadAttentionFromTensors } from './multi-head';
import { paddingMask } from './masks';
import { goldenLayout, gradCheckModel, maxAbsDiff, randn } from './test-helpers';
import { upgradeAttentionStateDict } from './legacy-names';

interface GoldenFile {
  config: { seq_len: number; batch: number; d_model: number; heads: number };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

const golden: GoldenFile = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', 'causal_mha.json'), 'utf8'));

/** Runs the causal_mha golden in `dtype`: y, att, loss = sum(y * R) and every gradient. */
function runGolden(dtype: DType) {
  const load = (name: string, requiresGrad = false) => tensor(golden.tensors[name].data, golden.tensors[name].shape, { dtype, requiresGrad });
  const names = ['Wq', 'Wk', 'Wv', 'Wo', 'bq', 'bk', 'bv', 'bo'] as const;
  const w = Object.fromEntries(names.map((n) => [n, load(n, true)])) as Record<(typeof names)[number], Tensor>;
  const x = load('x', true);
  const mha = multiHeadAttentionFromTensors(goldenLayout(w), golden.config.heads); // PyTorch's layout, differentiable in w
  const { output: y, weights: att } = multiHeadAttention(mha, x, { causal: true });
  const loss = sum(mul(y, load('R')));
  const grads = grad(loss, [x, ...names.map((n) => w[n])]);
  const actual: Record<string, Tensor> = { y, att, loss };
  ['x', ...names].forEach((n, i) => (actual[`grad_${n}`] = grads[i]));
  return actual;
}

/** Largest error beyond `atol + rtol * |expected|` (<= 0 means every element passes). */
function worstExcess(actual: ArrayLike<number>, expected: number[], atol: number, rtol: number): number {
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i])));
  return worst;
}

describe('multiHeadAttention against the PyTorch causal_mha golden', () => {
  const compared = ['y', 'att', 'loss', 'grad_x', 'grad_Wq', 'grad_Wk', 'grad_Wv', 'grad_Wo', 'grad_bq', 'grad_bk', 'grad_bv', 'grad_bo'];

  it('uses the sizes of the file', () => {
    const { seq_len, batch, d_model, heads } = golden.config;
    expect(golden.tensors.x.shape).toEqual([batch, seq_len, d_model]);
    expect(golden.tensors.att.shape).toEqual([batch, heads, seq_len, seq_len]);
  });

  it.each([
    ['float64', 1e-10, 1e-8],
    ['float32', 1e-5, 1e-4],
  ] as const)('matches y, att, loss and every gradient in %s', (dtype, atol, rtol) => {
    const actual = runGolden(dtype);
    for (const name of compared) {
      const expected = golden.tensors[name];
      expect([name, Array.from(actual[name].shape.length ? actual[name].shape : [1])]).toEqual([name, expected.shape]);
      expect([name, worstExcess(actual[name].data, expected.data, atol, rtol) <= 0]).toEqual([name, true]);
    }
  });
});

describe('multiHeadAttention', () => {
  const rng = new Random(11);

  it("names its parameters as torch.nn.MultiheadAttention's state dict, with its shapes", () => {
    const mha = createMultiHeadAttention(rng, { dModel: 6, heads: 3 });
    expect(namedParameters(mha).map(([n, t]) => `${n}:${t.shape.join('x')}`)).toEqual(['in_proj_weight:18x6', 'in_proj_bias:18', 'out_proj.weight:6x6', 'out_proj.bias:6']);
    const noBias = createMultiHeadAttention(rng, { dModel: 6, heads: 2, bias: false });
    expect(namedParameters(noBias).map(([n]) => n)).toEqual(['in_proj_weight', 'out_proj.weight']);
    expect(() => createMultiHeadAttention(rng, { dModel: 7, heads: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('passes gradCheck (float64) in x and every weight: causal, padded, biasless, cross-attention', () => {
    const mha = createMultiHeadAttention(rng, { dModel: 6, heads: 3 }, { dtype: 'float64' });
    const x = randn(rng, [2, 5, 6]);
    expect(gradCheckModel(mha, [x], (m, a) => multiHeadAttention(m, a, { causal: true }).output).ok).toBe(true);
    const keyMask = paddingMask([5, 3], 5);
    expect(gradCheckModel(mha, [x], (m, a) => multiHeadAttention(m, a, { keyMask }).output).ok).toBe(true);
    const noBias = createMultiHeadAttention(rng, { dModel: 6, heads: 2, bias: false }, { dtype: 'float64' });
    expect(gradCheckModel(noBias, [x], (m, a) => multiHeadAttention(m, a, { causal: true }).output).ok).toBe(true);
    const context = randn(rng, [2, 3, 6]);
    const r = multiHeadAttention(mha, x, { context });
    expect(r.output.shape).toEqual([2, 5, 6]);
    expect(r.weights.shape).toEqual([2, 3, 5, 3]);
    expect(gradCheckModel(mha, [x, context], (m, a, c) => multiHeadAttention(m, a, { context: c }).output).ok).toBe(true);
  });

  it('is causal: the output at t does not change when inputs after t change', () => {
    const mha = createMultiHeadAttention(rng, { dModel: 6, heads: 2 }, { dtype: 'float64' });
    const x = randn(rng, [2, 7, 6]);
    const before = multiHeadAttention(mha, x, { causal: true }).output;
    const t = 3;
    const changed = x.clone();
    for (let b = 0; b < 2; b++) for (let s = t + 1; s < 7; s++) for (let c = 0; c < 6; c++) changed.data[(b * 7 + s) * 6 + c] += 1 + s;
    const after = multiHeadAttention(mha, changed, { causal: true }).output;
    const upTo = (y: Tensor) => Array.from({ length: 2 }, (_, b) => Array.from(y.data.slice(b * 42, b * 42 + (t + 1) * 6))).flat();
    expect(maxAbsDiff(upTo(before), upTo(after))).toBe(0);
    expect(maxAbsDiff(before.data, after.data)).toBeGreaterThan(1e-3); // later outputs did change
  });

  it('outputsFrom: the rows, weights and gradients of the full call for those rows, and gradCheck', () => {
    const mha = createMultiHeadAttention(rng, { dModel: 6, heads: 3 }, { dtype: 'float64' });
    const x = randn(rng, [3, 7, 6], { requiresGrad: true });
    const params = namedParameters(mha).map(([, t]) => t);
    const keyMask = paddingMask([7, 0, 4], 7); // an empty sequence: fully masked rows
    const mask = new Tensor(Float64Array.from({ length: 49 }, (_, i) => (i % 5 === 2 ? 0 : 1)), [7, 7]);
    for (const options of [{ causal: true }, { causal: true, keyMask }, { causal: true, mask }, { keyMask }]) {
      for (const from of [1, 4, 6]) {
        const R = randn(rng, [3, 7 - from, 6]);
        const full = multiHeadAttention(mha, x, { ...options, queryChunk: 3 });
        const gFull = grad(sum(mul(slice(full.output, 1, from), R)), [x, ...params]);
        const part = multiHeadAttention(mha, x, { ...options, outputsFrom: from, queryChunk: 2 });
        expect(part.output.shape).toEqual([3, 7 - from, 6]);
        expect(part.weights.shape).toEqual([3, 3, 7 - from, 7]);
        expect(maxAbsDiff(part.output.data, slice(full.output, 1, from).data)).toBeLessThan(1e-13);
        expect(maxAbsDiff(part.weights.data, slice(full.weights, 2, from).data)).toBeLessThan(1e-13);
        const gPart = grad(sum(mul(part.output, R)), [x, ...params]);
        gPart.forEach((g, i) => expect(maxAbsDiff(g.data, gFull[i].data)).toBeLessThan(1e-12));
      }
    }
    const x2 = randn(rng, [2, 5, 6]);
    expect(gradCheckModel(mha, [x2], (m, a) => multiHeadAttention(m, a, { causal: true, outputsFrom: 3 }).output).ok).toBe(true);
    const context = randn(rng, [2, 8, 6]);
    const cross = multiHeadAttention(mha, x2, { context, causal: true, outputsFrom: 2 });
    expect(maxAbsDiff(cross.output.data, slice(multiHeadAttention(mha, x2, { context, causal: true }).output, 1, 2).data)).toBeLessThan(1e-13);
  });

  it('rejects a bad outputsFrom, or a mask that is not the full call\'s, saying what was expected', () => {
    const mha = createMultiHeadAttention(rng, { dModel: 4, heads: 2 }, { dtype: 'float64' });
    const x = randn(rng, [1, 5, 4]);
    for (const bad of [-1, 5, 2.5, Number.NaN]) {
      expect(() => multiHeadAttention(mha, x, { causal: true, outputsFrom: bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('expected a whole number in [0, 4]') }),
      );
    }
    expect(() => multiHeadAttention(mha, x, { outputsFrom: 3, mask: new Tensor(new Float64Array(10).fill(1), [2, 5]) })).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining('expected 1 or 5') }),
    );
    // Causal cross-attention with more positions than keys: the last queries would stand past the keys.
    expect(() => multiHeadAttention(mha, x, { context: randn(rng, [1, 3, 4]), causal: true, outputsFrom: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('rejects inputs of the wrong width or dtype', () => {
    const mha = createMultiHeadAttention(rng, { dModel: 4, heads: 2 });
    expect(() => multiHeadAttention(mha, randn(rng, [1, 3, 5], { dtype: 'float32' }))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
    expect(() => multiHeadAttention(mha, randn(rng, [1, 3, 4]))).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
    expect(() => multiHeadAttentionFromTensors({ in_proj_weight: randn(rng, [12, 4]), 'out_proj.weight': randn(rng, [4, 3]) }, 2)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining("'out_proj.weight' has shape [4,3]; expected [4,4]") }),
    );
    expect(() => multiHeadAttentionFromTensors({ in_proj_weight: randn(rng, [8, 4]), 'out_proj.weight': randn(rng, [4, 4]) }, 2)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining("'in_proj_weight' has shape [8,4]; expected [12,4]") }),
    );
    expect(() => multiHeadAttentionFromTensors({ in_proj_weight: randn(rng, [12, 4]), 'out_proj.weight': randn(rng, [4, 4]), in_proj_bias: randn(rng, [12]) }, 2)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("'out_proj.bias' is missing") }),
    );
  });
});
