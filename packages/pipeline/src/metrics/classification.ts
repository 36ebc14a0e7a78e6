import { LoopflowError } from '@loopflow/tensor';

/** Classification metrics; precision, recall and F1 are of the positive class (binary) or macro-averaged over classes. */
export interface ClassificationMetrics {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** Examples counted. */
  count: number;
  /** 'binary' (two classes: of class `positive`) or 'macro' (the mean over classes). */
  average: 'binary' | 'macro';
  /** `confusion[actual][predicted]`: how many examples of each class got each prediction. */
  confusion: number[][];
}

/**
 * The confusion matrix `[actual][predicted]` of `classes` classes.
 *
 * @example confusionMatrix([1, 0, 1], [1, 1, 0], 2) // [[0, 1], [1, 1]]
 */
export function confusionMatrix(predicted: readonly number[], actual: readonly number[], classes: number): number[][] {
  if (predicted.length !== actual.length) {
    throw new LoopflowError('INVALID_ARGUMENT', `confusionMatrix: ${predicted.length} predictions but ${actual.length} labels; expected one prediction per label`);
  }
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const p = predicted[i];
    if (!Number.isInteger(a) || a < 0 || a >= classes || !Number.isInteger(p) || p < 0 || p >= classes) {
      throw new LoopflowError('INVALID_ARGUMENT', `confusionMatrix: example ${i} has label ${a} and prediction ${p}; expected integers in [0, ${classes - 1}]`);
    }
    m[a][p] += 1;
  }
  return m;
}

/** Precision, recall and F1 of class `c` from a confusion matrix (0 where undefined: nothing predicted / present). */
export function classScores(confusion: readonly (readonly number[])[], c: number): { precision: number; recall: number; f1: number } {
  const truePositive = confusion[c][c];
  let predictedPositive = 0;
  let actualPositive = 0;
  for (let k = 0; k < confusion.length; k++) {
    predictedPositive += confusion[k][c];
    actualPositive += confusion[c][k];
  }
  const precision = predictedPositive === 0 ? 0 : truePositive / predictedPositive;
  const recall = actualPositive === 0 ? 0 : truePositive / actualPositive;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * Accuracy, precision, recall and F1. With two classes, precision/recall/F1 are those of the
 * positive class (`positive`, default 1: spam); with more, their unweighted mean over classes
 * (macro average). A score whose denominator is 0 counts as 0 (as scikit-learn's default).
 *
 * @example
 * classificationMetrics([1, 1, 0, 0], [1, 0, 1, 0]) // accuracy 0.5, precision 0.5, recall 0.5, f1 0.5
 */
export function classificationMetrics(predicted: readonly number[], actual: readonly number[], options: { classes?: number; positive?: number } = {}): ClassificationMetrics {
  let classes = options.classes ?? 2; // a loop: Math.max(...array) overflows the stack beyond ~120k samples
  if (options.classes === undefined) for (const c of [...actual, ...predicted]) if (c + 1 > classes) classes = c + 1;
  const confusion = confusionMatrix(predicted, actual, classes);
  let correct = 0;
  for (let c = 0; c < classes; c++) correct += confusion[c][c];
  const count = actual.length;
  const accuracy = count === 0 ? NaN : correct / count;
  if (classes === 2) {
    const positive = options.positive ?? 1;
    return { accuracy, ...classScores(confusion, positive), count, average: 'binary', confusion };
  }
  const scores = Array.from({ length: classes }, (_, c) => classScores(confusion, c));
  const mean = (key: 'precision' | 'recall' | 'f1'): number => scores.reduce((s, x) => s + x[key], 0) / classes;
  return { accuracy, precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), count, average: 'macro', confusion };
}
