import * as fs from 'fs';
import * as path from 'path';
import { Random, Tensor, grad, mul, sum, tensor } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { AttentionPath, fusedAttentionAvailable, setAttentionPath } from './path';
import { MultiHeadAttentionModule, MultiHeadAttentionOptions, MultiHeadAttentionTensors, createMultiHeadAttention, multiHeadAttention, multiHeadAttentionFromTensors } from '../multi-head';
import { paddingMask } from '../masks';
import { goldenLayout, randn } from '../test-helpers';

/**
 * multiHeadAttention's fused path (one product for q, k and v, the fused attention node reading
 * the heads in place, the output projection): against the PyTorch `causal_mha` golden, and
 * against the composed path in float64 for every option.
 */

interface GoldenFile {
  config: { seq_len: number; batch: number; d_model: number; heads: number };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

function withPath<T>(p: AttentionPath, fn: () => T): T {
  const previous = setAttentionPath(p);
  try {
    return fn();
  } finally {
    setAttentionPath(previous);
  }
}

/** Whether `t` came out of the fused path (the output projection of a fused attention node). */
function isFused(t: Tensor): boolean {
  return t.node?.op === 'affine' && t.node.inputs[0].node?.op === 'fusedAttention';
}

const maybe = fusedAttentionAvailable() ? describe : describe.skip;

maybe('multiHeadAttention, fused path, against the PyTorch causal_mha golden', () => {
  const golden: GoldenFile = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'testdata', 'causal_mha.json'), 'utf8'));
  const names = ['Wq', 'Wk', 'Wv', 'Wo', 'bq', 'bk', 'bv', 'bo'] as const;

  it('matches y, loss and every gradient in float32 (the tolerance of the composed float32 check)', () => {
    const load = (name: string, requiresGrad = false) => tensor(golden.tensors[name].data, golden.tensors[name].shape, { dtype: 'float32', requiresGrad });
    const w = Object.fromEntries(names.map((n) => [n, load(n, true)])) as Record<(typeof names)[number], Tensor>;
    const x = load('x', true);
    const mha = multiHeadAttentionFromTensors(goldenLayout(w), golden.config.heads); // PyTorch's layout, differentiable in w
    const y = withPath('fused', () => multiHeadAttention(mha, x, { causal: true, returnWeights: false }).output);
    expect(isFused(y)).toBe(true);
    const loss = sum(mul(y, load('R')));
    const grads = grad(loss, [x, ...names.map((n) => w[n])]);
    const actual: Record<string, Tensor> = { y, loss };
    ['x', ...names].forEach((n, i) => (actual[`grad_${n}`] = grads[i]));
    for (const name of Object.keys(actual)) {
      const expected = golden.tensors[name];
      let worst = -Infinity;
      expected.data.forEach((e, i) => (worst = Math.max(worst, Math.abs(actual[name].data[i] - e) - (1e-5 + 1e-4 * Math.abs(e)))));
      expect([name, worst <= 0]).toEqual([name, true]);
    }
  });
});

maybe('multiHeadAttention, fused path, against the composed path (float64)', () => {
  /** Output and the gradients of x (and context) and every parameter. */
  function run(p: AttentionPath, dtype: 'float32' | 'float64', mha: MultiHeadAttentionModule, x: Tensor, R: Tensor, options: MultiHeadAttentionOptions) {
    return withPath(p, () => {
      const params = namedParameters(mha).map(([, t]) => t.to(dtype));
      params.forEach((t) => (t.requiresGrad = true));
      const named = Object.fromEntries(namedParameters(mha).map(([name], i) => [name, params[i]]));
      const m = multiHeadAttentionFromTensors(named as unknown as MultiHeadAttentionTensors, mha.config.heads);
      const xx = x.to(dtype);
      xx.requiresGrad = true;
      const context = options.context ? options.context.to(dtype) : undefined;
      if (context) context.requiresGrad = true;
      const { output } = multiHeadAttention(m, xx, { ...options, context, returnWeights: false });
      const wrt = [xx, ...(context ? [context] : []), ...params];
      return { output, gradients: grad(sum(mul(output, R.to(dtype))), wrt) };
    });
  }

  function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let diff = 0;
    let scale = 1e-3;
    for (let i = 0; i < b.length; i++) {
      if (!Number.isFinite(a[i])) return Infinity;
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / scale;
  }

  const cases: [string, { dModel: number; heads: number; bias?: boolean }, number[], (rng: Random) => MultiHeadAttentionOptions][] = [
    ['causal self-attention, 3 heads of 5', { dModel: 15, heads: 3 }, [2, 19], () => ({ causal: true })],
    ['one head of 128, T 70 (the bench model)', { dModel: 128, heads: 1 }, [2, 70], () => ({ causal: true })],
    ['key padding, no bias', { dModel: 8, heads: 2, bias: false }, [3, 11], () => ({ keyMask: paddingMask([11, 4, 0], 11) })],
    ['a general mask [T, T]', { dModel: 12, heads: 4 }, [2, 9], (rng) => ({ mask: new Tensor(Float32Array.from({ length: 81 }, () => (rng.next() < 0.6 ? 1 : 0)), [9, 9]) })],
    ['cross-attention to a context of 13 with its padding', { dModel: 6, heads: 2 }, [2, 7], (rng) => ({ context: randn(rng, [2, 13, 6]), keyMask: paddingMask([13, 6], 13) })],
    // outputsFrom: the queries of the last positions, read in place from the q, k, v product.
    ['outputsFrom 14 of 19, causal, 3 heads of 5', { dModel: 15, heads: 3 }, [2, 19], () => ({ causal: true, outputsFrom: 14 })],
    ['outputsFrom T-1 (the last position of 70), causal + key padding with an empty sequence', { dModel: 15, heads: 3 }, [3, 70], () => ({ causal: true, outputsFrom: 69, keyMask: paddingMask([70, 0, 33], 70) })],
    ['outputsFrom 4 with a general mask [T, T], no bias', { dModel: 12, heads: 4, bias: false }, [2, 9], (rng) => ({ causal: true, outputsFrom: 4, mask: new Tensor(Float32Array.from({ length: 81 }, () => (rng.next() < 0.6 ? 1 : 0)), [9, 9]) })],
    ['cross-attention with outputsFrom 3, causal', { dModel: 6, heads: 2 }, [2, 7], (rng) => ({ context: randn(rng, [2, 13, 6]), causal: true, outputsFrom: 3 })],
  ];
  for (const [name, config, [B, T], options] of cases) {
    it(`${name}: output and every gradient`, () => {
      const rng = new Random(3);
      const mha = createMultiHeadAttention(rng, config, { dtype: 'float64' });
      const x = randn(rng, [B, T, config.dModel]);
      const opts = options(rng);
      const R = randn(rng, [B, T - (opts.outputsFrom ?? 0), config.dModel]);
      const expected = run('composed', 'float64', mha, x, R, opts);
      const actual = run('fused', 'float32', mha, x, R, opts);
      expect(isFused(actual.output)).toBe(true);
      expect(relativeError(actual.output.data, expected.output.data)).toBeLessThan(2e-5);
      expect(actual.gradients.length).toBe(expected.gradients.length);
      const names = ['x', ...(opts.context ? ['context'] : []), ...namedParameters(mha).map(([n]) => n)];
      // Each projection judged on its own, as when they were separate tensors: the rows of
      // in_proj_weight (and thirds of in_proj_bias) for q, k and v.
      const d = config.dModel;
      const parts = (gradients: Tensor[]): Record<string, ArrayLike<number>> => {
        const out: Record<string, ArrayLike<number>> = {};
        gradients.forEach((g, i) => {
          const name = names[i];
          expect([name, g.shape]).toEqual([name, gradients === actual.gradients ? expected.gradients[i].shape : g.shape]);
          if (name === 'in_proj_weight') ['Wq', 'Wk', 'Wv'].forEach((n, j) => (out[n] = g.data.subarray(j * d * d, (j + 1) * d * d)));
          else if (name === 'in_proj_bias') ['bq', 'bk', 'bv'].forEach((n, j) => (out[n] = g.data.subarray(j * d, (j + 1) * d)));
          else out[name] = g.data;
        });
        return out;
      };
      const got = parts(actual.gradients);
      const want = parts(expected.gradients);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      for (const name of Object.keys(want)) {
        if (name === 'bk') {
          // Exactly 0 (a key bias shifts every score of a row alike, which the softmax ignores):
          // what remains is float32 rounding of a sum over B * S rows of dK, so it is judged
          // against the size of dWk, the gradient made of the same rows.
          const scale = Math.max(1e-3, ...Array.from(want.Wk, Math.abs));
          expect([name, Math.max(...Array.from(got[name], Math.abs)) / scale < 2e-5]).toEqual([name, true]);
        } else {
          expect([name, relativeError(got[name], want[name]) < 2e-5]).toEqual([name, true]);
        }
      }
    });
  }
});
