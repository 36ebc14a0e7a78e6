import { Random, Tensor, gradCheck, slice, tensor } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { createTransformerBlock, transformerBlock } from './block';
import { gelu } from './gelu';
import { paddingMask } from './masks';
import { gradCheckModel, maxAbsDiff, randn } from './test-helpers';

describe('gelu', () => {
  it('matches the tanh approximation at hand-computed points', () => {
    const ref = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    const y = gelu(tensor([-3, -1, 0, 0.5, 1, 2], undefined, { dtype: 'float64' }));
    [-3, -1, 0, 0.5, 1, 2].forEach((x, i) => expect(y.data[i]).toBeCloseTo(ref(x), 14));
    expect(y.data[4]).toBeCloseTo(0.841192, 6); // PyTorch gelu(1, approximate='tanh')
    expect(gradCheck(gelu, [randn(new Random(0), [7])]).ok).toBe(true);
  });
});

describe('transformerBlock (pre-norm)', () => {
  const rng = new Random(5);

  it('has the expected parameters (MLP 4 * dModel by default)', () => {
    const block = createTransformerBlock(rng, { dModel: 6, heads: 2 });
    const names = namedParameters(block).map(([n, t]) => `${n}:${t.shape.join('x')}`);
    expect(names).toEqual([
      'norm1.weight:6', 'norm1.bias:6',
      'self_attn.in_proj_weight:18x6', 'self_attn.in_proj_bias:18', 'self_attn.out_proj.weight:6x6', 'self_attn.out_proj.bias:6',
      'norm2.weight:6', 'norm2.bias:6',
      'linear1.weight:24x6', 'linear1.bias:24', 'linear2.weight:6x24', 'linear2.bias:6',
    ]);
  });

  it.each(['gelu', 'relu'] as const)('passes gradCheck (float64) with %s, causal and with padding', (activation) => {
    const block = createTransformerBlock(rng, { dModel: 6, heads: 3, mlpWidth: 5, activation }, { dtype: 'float64' });
    const x = randn(rng, [2, 3, 6]);
    expect(gradCheckModel(block, [x], (b, a) => transformerBlock(b, a, { causal: true })).ok).toBe(true);
    const keyMask = paddingMask([3, 2], 3);
    expect(gradCheckModel(block, [x], (b, a) => transformerBlock(b, a, { keyMask })).ok).toBe(true);
  });

  it('equals x + MHA(LN(x)) then + MLP(LN(.)), checked with the attention switched off', () => {
    // With out_proj = 0 (its bias starts at 0) the attention adds nothing; with linear2 = 0 the MLP adds only linear2.bias.
    const block = createTransformerBlock(rng, { dModel: 4, heads: 2 }, { dtype: 'float64' });
    block.self_attn.out_proj.weight.data.fill(0);
    block.linear2.weight.data.fill(0);
    (block.linear2.bias as Tensor).data.set([1, 2, 3, 4]);
    const x = randn(rng, [1, 3, 4]);
    const y = transformerBlock(block, x, { causal: true });
    for (let i = 0; i < 12; i++) expect(y.data[i]).toBeCloseTo(x.data[i] + [1, 2, 3, 4][i % 4], 14);
  });

  it('is causal, and ignores padded positions with a key mask', () => {
    const block = createTransformerBlock(rng, { dModel: 6, heads: 2 }, { dtype: 'float64' });
    const x = randn(rng, [1, 6, 6]);
    const changed = x.clone();
    for (let i = 4 * 6; i < 36; i++) changed.data[i] += (i % 5) - 1.7; // not constant per row: LayerNorm would remove that
    // causal: positions 0..3 unchanged
    let a = transformerBlock(block, x, { causal: true });
    let b = transformerBlock(block, changed, { causal: true });
    expect(maxAbsDiff(a.data.slice(0, 24), b.data.slice(0, 24))).toBe(0);
    // bidirectional with a length of 4: positions 0..3 unchanged
    const keyMask = paddingMask([4], 6);
    a = transformerBlock(block, x, { keyMask });
    b = transformerBlock(block, changed, { keyMask });
    expect(maxAbsDiff(a.data.slice(0, 24), b.data.slice(0, 24))).toBeLessThan(1e-14);
    // without the mask the change does reach position 0
    a = transformerBlock(block, x);
    b = transformerBlock(block, changed);
    expect(maxAbsDiff(a.data.slice(0, 6), b.data.slice(0, 6))).toBeGreaterThan(1e-6);
  });

  it('outputsFrom: the rows of the full block (residual from those rows of x), gradCheck, and a clear error', () => {
    const block = createTransformerBlock(rng, { dModel: 6, heads: 2, activation: 'relu' }, { dtype: 'float64' });
    const x = randn(rng, [2, 6, 6]);
    const full = transformerBlock(block, x, { causal: true, keyMask: paddingMask([6, 3], 6) });
    const part = transformerBlock(block, x, { causal: true, keyMask: paddingMask([6, 3], 6), outputsFrom: 4 });
    expect(part.shape).toEqual([2, 2, 6]);
    expect(maxAbsDiff(part.data, slice(full, 1, 4).data)).toBeLessThan(1e-14);
    expect(gradCheckModel(block, [randn(rng, [1, 4, 6])], (m, a) => transformerBlock(m, a, { causal: true, outputsFrom: 2 })).ok).toBe(true);
    expect(() => transformerBlock(block, x, { outputsFrom: 6 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^transformerBlock: outputsFrom = 6/) }));
  });

  it('applies dropout only in training', () => {
    const block = createTransformerBlock(rng, { dModel: 4, heads: 2, dropout: 0.5 });
    const x = randn(rng, [2, 5, 4], { dtype: 'float32' });
    const evalA = transformerBlock(block, x);
    const evalB = transformerBlock(block, x, { training: false });
    expect(maxAbsDiff(evalA.data, evalB.data)).toBe(0);
    const train = transformerBlock(block, x, { training: true });
    expect(maxAbsDiff(train.data, evalA.data)).toBeGreaterThan(1e-3);
    expect(() => createTransformerBlock(rng, { dModel: 4, heads: 2, dropout: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
