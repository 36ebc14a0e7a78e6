import { map, OperatorFunction } from 'rxjs';
import { defineStage } from '../../vocabulary/stage';
import type { EvaluatedBundle, TrainedBundle } from '../../vocabulary/bundle';
import type { SplitName } from '../../vocabulary/items';
import { evaluateSplit } from '../../task/evaluate';
import type { MetricSet } from '../../vocabulary/metric-set';

/** Options of the `evaluate` stage. */
export interface EvaluateOptions {
  splits?: SplitName[];
}

/** `evaluate`: metrics of the trained model on the validation and test splits. */
export const evaluateStage = defineStage<EvaluateOptions>({
  name: 'evaluate',
  plugin: 'pipeline',
  category: 'evaluate',
  summary: 'Measures the trained model on the validation and test splits, in the units of the task.',
  description:
    'Language models: loss (nats per token), perplexity, bits per character (char tokenizer) or per token. Classification: loss, accuracy, precision, recall, F1 (of class 1 with two classes, else macro-averaged). Forecasting: loss (scaled), RMSE and MAE in the original units.',
  input: ['trained-model'],
  output: 'evaluation',
  schema: {
    type: 'object',
    properties: {
      splits: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['train', 'validation', 'test'] }, default: ['validation', 'test'], description: 'Splits to measure (empty splits are skipped).' },
    },
  },
  example: { stage: 'evaluate' },
  create: (o, ctx): OperatorFunction<TrainedBundle, EvaluatedBundle> =>
    map((bundle) => {
      const metrics: Partial<Record<SplitName, MetricSet>> = {};
      const confusion: Partial<Record<SplitName, number[][]>> = {};
      for (const split of o.splits ?? ['validation', 'test']) {
        const result = evaluateSplit(bundle, split, bundle.training.loss);
        if (!result) continue;
        metrics[split] = result.metrics;
        if (result.confusion) confusion[split] = result.confusion;
        ctx.emit({ type: 'evaluation', split, metrics: result.metrics });
      }
      return { ...bundle, metrics, ...(Object.keys(confusion).length ? { confusion } : {}) };
    }),
});
