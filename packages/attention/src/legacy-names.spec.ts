import * as fs from 'fs';
import * as path from 'path';
import { Random, Tensor, tensor } from '@loopflow/tensor';
import { loadStateDict, namedParameters, stateDict } from '@loopflow/layers';
import { createMultiHeadAttention, multiHeadAttention, multiHeadAttentionFromTensors } from './multi-head';
import { createTransformerBlock, transformerBlock } from './block';
import { upgradeAttentionStateDict } from './legacy-names';
import { goldenLayout, maxAbsDiff, randn } from './test-helpers';

/**
 * State dicts written before attention took PyTorch's layout (`Wq..Wo [in, out]`, `bq..bo`, a
 * block's `attention`/`fc1`/`fc2`) convert on load. The reference is the `causal_mha` golden,
 * whose tensors are in that old layout: converted and loaded, they give PyTorch's outputs.
 */

interface GoldenFile {
  config: { heads: number; d_model: number };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}
const golden: GoldenFile = JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', 'causal_mha.json'), 'utf8'));
const load = (name: string) => tensor(golden.tensors[name].data, golden.tensors[name].shape, { dtype: 'float64' });
const LEGACY = ['Wq', 'Wk', 'Wv', 'Wo', 'bq', 'bk', 'bv', 'bo'] as const;
const legacyGolden = (prefix = '') => Object.fromEntries(LEGACY.map((n) => [prefix + n, load(n)])) as Record<string, Tensor>;

describe('upgradeAttentionStateDict', () => {
  it("converts an old attention layer's weights: loaded into a module, they give the golden's y", () => {
    const { tensors, converted } = upgradeAttentionStateDict(legacyGolden());
    expect(converted).toEqual(['']);
    expect(Object.entries(tensors).map(([n, t]) => `${n}:${t.shape.join('x')}`)).toEqual(['in_proj_weight:24x8', 'in_proj_bias:24', 'out_proj.weight:8x8', 'out_proj.bias:8']);
    const mha = createMultiHeadAttention(new Random(0), { dModel: 8, heads: golden.config.heads }, { dtype: 'float64' });
    loadStateDict(mha, tensors); // strict: every name matches
    const y = multiHeadAttention(mha, load('x'), { causal: true }).output;
    expect(maxAbsDiff(y.data, golden.tensors.y.data)).toBeLessThan(1e-10);
  });

  it("renames an old block's attention, fc1 and fc2 and keeps every other entry and its order", () => {
    const rng = new Random(4);
    const reference = createTransformerBlock(rng, { dModel: 8, heads: 2, mlpWidth: 6 }, { dtype: 'float64' });
    const legacyBlock: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(stateDict(reference))) {
      if (name.startsWith('self_attn.')) continue;
      const old = name.replace(/^linear1\./, 'fc1.').replace(/^linear2\./, 'fc2.');
      if (name === 'norm2.weight') Object.assign(legacyBlock, legacyGolden('blocks.3.attention.')); // where the old block had them
      legacyBlock[`blocks.3.${old}`] = t;
    }
    legacyBlock['blocks.3.extra.bo'] = tensor([1, 2], [2]); // a `bo` of someone else's is left alone
    const { tensors, converted } = upgradeAttentionStateDict(legacyBlock);
    expect(converted).toEqual(['blocks.3.attention.']);
    expect(Object.keys(tensors)).toEqual([
      'blocks.3.norm1.weight', 'blocks.3.norm1.bias',
      'blocks.3.self_attn.in_proj_weight', 'blocks.3.self_attn.in_proj_bias', 'blocks.3.self_attn.out_proj.weight', 'blocks.3.self_attn.out_proj.bias',
      'blocks.3.norm2.weight', 'blocks.3.norm2.bias',
      'blocks.3.linear1.weight', 'blocks.3.linear1.bias', 'blocks.3.linear2.weight', 'blocks.3.linear2.bias',
      'blocks.3.extra.bo',
    ]);
    const loaded = createTransformerBlock(rng, { dModel: 8, heads: 2, mlpWidth: 6 }, { dtype: 'float64' });
    const { unexpected } = loadStateDict({ blocks: [null, null, null, loaded] }, tensors, { strict: false });
    expect(unexpected).toEqual(['blocks.3.extra.bo']);
    // The same block built from the golden's tensors put in PyTorch's layout by tensor ops.
    const w = Object.fromEntries(LEGACY.map((n) => [n, load(n)])) as Parameters<typeof goldenLayout>[0];
    const expected = { ...reference, self_attn: multiHeadAttentionFromTensors(goldenLayout(w), 2) };
    const x = randn(rng, [2, 5, 8]);
    expect(maxAbsDiff(transformerBlock(loaded, x, { causal: true }).data, transformerBlock(expected, x, { causal: true }).data)).toBeLessThan(1e-12);
    expect(namedParameters(loaded).length).toBe(12);
  });

  it('returns a state dict in the new names as it is, and refuses an incomplete old group', () => {
    const current = stateDict(createMultiHeadAttention(new Random(1), { dModel: 4, heads: 2 }));
    const same = upgradeAttentionStateDict(current);
    expect(same.tensors).toBe(current);
    expect(same.converted).toEqual([]);
    const damaged = legacyGolden('a.');
    delete damaged['a.Wv'];
    expect(() => upgradeAttentionStateDict(damaged)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining("'a.Wv' missing") }));
    const noBk = legacyGolden();
    delete noBk.bk;
    expect(() => upgradeAttentionStateDict(noBk)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const wrong = { ...legacyGolden(), Wk: tensor(new Array(12).fill(0), [4, 3]) };
    expect(() => upgradeAttentionStateDict(wrong)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringContaining("'Wk' has shape [4,3]; expected [8,8]") }));
  });
});
