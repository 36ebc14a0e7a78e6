import type { Task } from './prepared';

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

/**
 * The metrics the evaluation reports for each task (besides the counts), the names
 * `earlyStopping.monitor`, a plateau schedule's `monitor` and a search's `metric` may use.
 * A language model reports `bitsPerCharacter` with the char tokenizer, `bitsPerToken` otherwise.
 */
export const TASK_METRICS: Readonly<Record<Task, readonly string[]>> = {
  'language-model': ['loss', 'perplexity', 'bitsPerCharacter', 'bitsPerToken'],
  classification: ['loss', 'accuracy', 'precision', 'recall', 'f1'],
  forecast: ['loss', 'rmse', 'mae'],
};

/** Every metric name of {@link TASK_METRICS}, in a stable order. */
export const ALL_METRICS: readonly string[] = [...new Set(Object.values(TASK_METRICS).flat())];
