/**
 * Metrics by name, in the units a user thinks in: `loss`, `perplexity`, `bitsPerCharacter`
 * (language models); `accuracy`, `precision`, `recall`, `f1` (classification); `rmse`, `mae`
 * in the series' original units (forecasting); `count` = what they were averaged over.
 */
export type MetricSet = Record<string, number>;

/** Metrics where a higher value is better; for every other metric lower is better. */
export const HIGHER_IS_BETTER: readonly string[] = ['accuracy', 'precision', 'recall', 'f1'];

/** 'max' for accuracy, precision, recall and f1 (by the last segment of a dotted name), else 'min'. */
export function metricMode(metric: string): 'min' | 'max' {
  const last = metric.split('.').pop() ?? metric;
  return HIGHER_IS_BETTER.includes(last) ? 'max' : 'min';
}
