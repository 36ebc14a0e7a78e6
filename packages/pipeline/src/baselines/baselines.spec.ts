import type { TokenSample } from '@loopflow/data';
import { bigramLogLoss, bigramNll, fitBigram } from './bigram';
import { meanSeasonalDrift, seasonalNaive } from './seasonal';
import { majorityClass } from './majority';

// ids: 0 <pad>, 1 <unk>, 2 <bos>, 3 <eos>, 4 'a', 5 'b'
const lm = (ids: number[]): TokenSample => ({ kind: 'tokens', input: [2, ...ids], target: [...ids, 3] });

describe('bigram baseline (hand-worked)', () => {
  // training names "ab" and "a": pairs <bos>a, ab, b<eos>, <bos>a, a<eos>
  const model = fitBigram([lm([4, 5]), lm([4])], 6, { k: 1, excluded: [0, 2] });

  it('counts the pairs of the training samples, the end token included', () => {
    expect(model.outcomes).toEqual([1, 3, 4, 5]); // <unk>, <eos>, a, b: never <pad> or <bos>
    expect(model.totals[2]).toBe(2); // <bos> followed twice
    expect(model.totals[4]).toBe(2); // 'a' followed by 'b' and by <eos>
    expect(model.counts[2 * 6 + 4]).toBe(2);
  });

  it('add-one smoothing: P(b|a) = (count + 1) / (total + |outcomes|)', () => {
    expect(bigramLogLoss(model, 2, 4)).toBeCloseTo(-Math.log(3 / 6), 12); // (2 + 1) / (2 + 4)
    expect(bigramLogLoss(model, 4, 5)).toBeCloseTo(-Math.log(2 / 6), 12); // (1 + 1) / (2 + 4)
    expect(bigramLogLoss(model, 5, 4)).toBeCloseTo(-Math.log(1 / 5), 12); // unseen: (0 + 1) / (1 + 4)
    expect(bigramLogLoss(model, 1, 4)).toBeCloseTo(-Math.log(1 / 4), 12); // a never-seen previous token: uniform
  });

  it('sums to one over the outcomes after every previous token', () => {
    for (let previous = 0; previous < 6; previous++) {
      const total = model.outcomes.reduce((s, next) => s + Math.exp(-bigramLogLoss(model, previous, next)), 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('measures every target token, the end token included, like the language model loss', () => {
    // "ba": <bos>->b, b->a, a-><eos>
    const { nll, tokens } = bigramNll(model, [lm([5, 4])]);
    expect(tokens).toBe(3);
    expect(nll).toBeCloseTo(-Math.log(1 / 6) - Math.log(1 / 5) - Math.log(2 / 6), 12);
  });

  it('add-k: a smaller k moves probability towards the seen pairs', () => {
    const sharp = fitBigram([lm([4, 5]), lm([4])], 6, { k: 0.1, excluded: [0, 2] });
    expect(bigramLogLoss(sharp, 2, 4)).toBeCloseTo(-Math.log(2.1 / 2.4), 12);
    expect(() => fitBigram([], 6, { k: 0 })).toThrow(/k is 0/);
  });
});

describe('seasonal-naive baselines (hand-worked)', () => {
  // a monthly-like series with a season of 4 and a trend of +1 per season
  const rows = [10, 20, 30, 40, 11, 21, 31, 41, 12, 22, 32, 42].map((v) => [v]);
  const splits = [...Array(8).fill('train'), ...Array(4).fill('test')];

  it('the mean change over a season, on training rows only', () => {
    expect(meanSeasonalDrift(rows, splits, 4, [0])).toEqual([1]); // 11-10, 21-20, 31-30, 41-40
    expect(meanSeasonalDrift([[1], [2], [4], [5]], ['train', 'train', 'train', 'test'], 1, [0])).toEqual([1.5]);
  });

  it('the value one season before the target, plus the drift', () => {
    // window ends at row 7 (41); 1 step ahead = row 8, one season before it = row 4 (11)
    expect(seasonalNaive(rows, 7, 1, 4, [0])).toEqual([11]);
    expect(seasonalNaive(rows, 7, 1, 4, [0], [1])).toEqual([12]); // = row 8 exactly
    // 4 steps ahead = row 11: one season before is row 7, the window's last row
    expect(seasonalNaive(rows, 7, 4, 4, [0], [1])).toEqual([42]);
  });

  it('steps back whole seasons when one season before the target is still in the future', () => {
    // 6 steps ahead of row 3 = row 9; one season before = row 5 (not observed), two = row 1
    expect(seasonalNaive(rows, 3, 6, 4, [0])).toEqual([20]);
    expect(seasonalNaive(rows, 3, 6, 4, [0], [1])).toEqual([22]);
  });

  it('season 1 is the last observed value (naive), with drift a random walk with drift', () => {
    expect(seasonalNaive(rows, 5, 3, 1, [0])).toEqual([21]);
    expect(seasonalNaive(rows, 5, 3, 1, [0], [0.5])).toEqual([22.5]);
  });
});

describe('majority class', () => {
  it('is the most frequent training label (the smaller on a tie)', () => {
    expect(majorityClass([1, 0, 1, 1, 0])).toBe(1);
    expect(majorityClass([1, 0, 0, 1])).toBe(0);
    expect(() => majorityClass([])).toThrow(/no training labels/);
  });
});
