import { Random } from '@loopflow/tensor';
import { countParameters, configForBudget, transformerParameterCount } from './budget';
import { createDecoder, DecoderConfig } from './decoder';
import { createEncoder } from './encoder';
import { createMultiHeadAttention } from './multi-head';

describe('parameter counts', () => {
  const configs: DecoderConfig[] = [
    { input: { kind: 'tokens', vocabSize: 11 }, outputSize: 11, dModel: 8, heads: 2, layers: 2 },
    { input: { kind: 'tokens', vocabSize: 5 }, outputSize: 3, dModel: 6, heads: 3, layers: 1, positional: 'learned', maxLength: 9, mlpWidth: 7 },
    { input: { kind: 'features', size: 3 }, outputSize: 1, dModel: 4, heads: 1, layers: 3, bias: false },
    { input: { kind: 'features', size: 2 }, outputSize: 2, dModel: 10, heads: 5, layers: 1, positional: 'none' },
  ];

  it('the formula equals the count of a built decoder and encoder', () => {
    for (const config of configs) {
      const expected = transformerParameterCount(config);
      expect(countParameters(createDecoder(new Random(0), config))).toBe(expected);
      expect(countParameters(createEncoder(new Random(0), { ...config, pooling: 'last' }))).toBe(expected);
    }
  });

  it('counts a hand-worked module: MHA with d = 4 has 4*16 + 4*4 = 80', () => {
    expect(countParameters(createMultiHeadAttention(new Random(0), { dModel: 4, heads: 2 }))).toBe(80);
    // decoder, d = 2, m = 8, V = 3, out = 3, 1 layer: 3*2 + (16+8 + 32+10 + 8) + 4 + 6+3
    expect(transformerParameterCount({ input: { kind: 'tokens', vocabSize: 3 }, outputSize: 3, dModel: 2, heads: 1, layers: 1 })).toBe(6 + 74 + 4 + 9);
  });
});

describe('configForBudget', () => {
  it.each([5_000, 50_000, 200_000])('chooses dModel so the count is closest to %d', (budget) => {
    const base = { input: { kind: 'tokens' as const, vocabSize: 65 }, outputSize: 65, heads: 4, layers: 2 };
    const { config, parameters } = configForBudget<DecoderConfig>(budget, base);
    expect(config.dModel % 4).toBe(0);
    expect(parameters).toBe(transformerParameterCount(config));
    expect(countParameters(createDecoder(new Random(0), config))).toBe(parameters);
    // no other multiple of heads is closer
    for (const d of [config.dModel - 4, config.dModel + 4]) {
      if (d < 4) continue;
      expect(Math.abs(transformerParameterCount({ ...base, dModel: d }) - budget)).toBeGreaterThanOrEqual(Math.abs(parameters - budget));
    }
    expect(Math.abs(parameters - budget) / budget).toBeLessThan(0.1);
  });

  it('throws BUDGET_TOO_SMALL when even the narrowest model is far too big', () => {
    expect(() => configForBudget<DecoderConfig>(100, { input: { kind: 'tokens', vocabSize: 1000 }, outputSize: 1000, heads: 4, layers: 2 })).toThrow(
      expect.objectContaining({ code: 'BUDGET_TOO_SMALL' }),
    );
  });
});
