import { classificationMetrics, confusionMatrix } from './classification';
import { regressionMetrics, RegressionAccumulator } from './regression';
import { languageModelMetrics } from './language-model';
import { metricMode } from '../vocabulary/metric-set';

describe('classification metrics (hand-worked)', () => {
  it('binary: 10 messages, spam = 1', () => {
    // actual:    1 1 1 1 0 0 0 0 0 0
    // predicted: 1 1 1 0 1 0 0 0 0 0   -> TP 3, FN 1, FP 1, TN 5
    const actual = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const predicted = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];
    const m = classificationMetrics(predicted, actual);
    expect(m.average).toBe('binary');
    expect(m.confusion).toEqual([[5, 1], [1, 3]]);
    expect(m.accuracy).toBeCloseTo(8 / 10, 12);
    expect(m.precision).toBeCloseTo(3 / 4, 12); // TP / (TP + FP)
    expect(m.recall).toBeCloseTo(3 / 4, 12); // TP / (TP + FN)
    expect(m.f1).toBeCloseTo(3 / 4, 12);
  });

  it('binary with unequal precision and recall: F1 is their harmonic mean', () => {
    // TP 2, FP 2, FN 0, TN 1 -> precision 1/2, recall 1, F1 = 2 * 0.5 * 1 / 1.5 = 2/3
    const m = classificationMetrics([1, 1, 1, 1, 0], [1, 1, 0, 0, 0]);
    expect(m.precision).toBeCloseTo(0.5, 12);
    expect(m.recall).toBeCloseTo(1, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
  });

  it('counts a score with an empty denominator as 0 (no positive predicted)', () => {
    const m = classificationMetrics([0, 0, 0], [1, 0, 0]);
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.accuracy).toBeCloseTo(2 / 3, 12);
  });

  it('three classes: macro averages over classes', () => {
    // actual    0 0 1 1 2 2
    // predicted 0 1 1 1 2 0
    // class 0: P = 1/2 (preds at 0: idx0 ok, idx5 wrong), R = 1/2, F1 = 1/2
    // class 1: P = 2/3, R = 1, F1 = 0.8
    // class 2: P = 1, R = 1/2, F1 = 2/3
    const m = classificationMetrics([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2]);
    expect(m.average).toBe('macro');
    expect(m.precision).toBeCloseTo((1 / 2 + 2 / 3 + 1) / 3, 12);
    expect(m.recall).toBeCloseTo((1 / 2 + 1 + 1 / 2) / 3, 12);
    expect(m.f1).toBeCloseTo((1 / 2 + 0.8 + 2 / 3) / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
  });

  it('rejects labels out of range and unequal lengths', () => {
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(/prediction 2/);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/1 predictions but 2 labels/);
  });
});

describe('regression metrics (hand-worked)', () => {
  it('RMSE and MAE of errors 1, -2, 2', () => {
    // squared errors 1, 4, 4 -> mean 3 -> rmse sqrt(3); absolute 1, 2, 2 -> mae 5/3
    const m = regressionMetrics([11, 18, 32], [10, 20, 30]);
    expect(m.rmse).toBeCloseTo(Math.sqrt(3), 12);
    expect(m.mae).toBeCloseTo(5 / 3, 12);
    expect(m.count).toBe(3);
  });

  it('accumulates over batches to the same result', () => {
    const acc = new RegressionAccumulator();
    acc.add([11], [10]);
    acc.add([18, 32], [20, 30]);
    expect(acc.result()).toEqual(regressionMetrics([11, 18, 32], [10, 20, 30]));
  });
});

describe('language-model metrics (hand-worked)', () => {
  it('a model that gives each of 4 tokens probability 1/2 has perplexity 2 and 1 bit per token', () => {
    const m = languageModelMetrics(-4 * Math.log(0.5), 4);
    expect(m.loss).toBeCloseTo(Math.LN2, 12);
    expect(m.perplexity).toBeCloseTo(2, 12);
    expect(m.bits).toBeCloseTo(1, 12);
  });

  it('a uniform model over 27 characters has perplexity 27 and log2(27) bits per character', () => {
    const m = languageModelMetrics(10 * Math.log(27), 10);
    expect(m.perplexity).toBeCloseTo(27, 9);
    expect(m.bits).toBeCloseTo(Math.log2(27), 12);
  });
});

describe('metricMode', () => {
  it('maximizes accuracy-like metrics and minimizes the rest', () => {
    expect(metricMode('validation.accuracy')).toBe('max');
    expect(metricMode('f1')).toBe('max');
    expect(metricMode('validation.loss')).toBe('min');
    expect(metricMode('test.rmse')).toBe('min');
  });

  it('counts the classes of 300k predictions (no Math.max spread: issue 16)', () => {
    const actual = Array.from({ length: 300_000 }, (_, i) => i % 3);
    const m = classificationMetrics(actual, actual);
    expect(m.accuracy).toBe(1);
    expect(confusionMatrix(actual, actual, 3)[2][2]).toBe(100_000);
  });
});
