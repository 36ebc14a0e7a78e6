import { Random } from '@loopflow/tensor';
import { argMax, sampleLogits } from './generate';

describe('sampleLogits', () => {
  it('picks the largest of 300k scores at temperature 0 (no Math.max spread: issue 16)', () => {
    const scores = new Float32Array(300_000).map((_, i) => Math.sin(i));
    scores[250_001] = 5;
    expect(sampleLogits(scores, 0, new Random(1), [])).toBe(250_001);
    expect(argMax([1, 3, 3, 2])).toBe(1);
  });

  it('refuses NaN or +Infinity scores with MODEL_NOT_FINITE instead of sampling them', () => {
    for (const bad of [NaN, Infinity]) {
      expect(() => sampleLogits([0.1, bad, 0.2], 1, new Random(1), [])).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FINITE', message: expect.stringMatching(/token 1 is (NaN|Infinity)/) }));
    }
    expect(sampleLogits([0, -Infinity, 1], 0, new Random(1), [])).toBe(2);
  });
});
