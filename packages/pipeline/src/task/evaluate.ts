import { argmax, noGrad } from '@loopflow/tensor';
import { crossEntropy } from '@loopflow/losses';
import type { Batch, SeriesSample } from '@loopflow/data';
import type { ModelBundle } from '../vocabulary/bundle';
import type { SampleList } from '../vocabulary/sample-list';
import type { SplitName } from '../vocabulary/items';
import { batchesOf } from '../vocabulary/prepared';
import type { MetricSet } from '../vocabulary/metric-set';
import { classificationMetrics } from '../metrics/classification';
import { RegressionAccumulator } from '../metrics/regression';
import { languageModelMetrics } from '../metrics/language-model';
import { taskCount, taskLoss } from './loss';
import type { TaskLossOptions } from '../vocabulary/bundle';
import { seriesInOriginalUnits } from '../series/original-units';

/** The metrics of one split, and details that are not single numbers. */
export interface SplitEvaluation {
  metrics: MetricSet;
  /** Classification: `confusion[actual][predicted]`. */
  confusion?: number[][];
}

/**
 * Evaluates the model on a split, in the units a user thinks in: loss, perplexity and bits
 * per character (or token) for a language model; accuracy, precision, recall and F1 for
 * classification; RMSE and MAE in the original units (scaler inverted, differences added
 * back onto the observed rows) for a forecast, plus
 * the loss the model was trained on. Undefined for an empty split. Runs without gradients,
 * every batch from a zero state.
 */
export function evaluateSplit(bundle: ModelBundle, split: SplitName, options: TaskLossOptions = {}): SplitEvaluation | undefined {
  const { data, model } = bundle;
  if (data.samples[split].length === 0) return undefined;
  const batches: Iterable<Batch> = data.batchIterable(split); // made one at a time
  return noGrad((): SplitEvaluation => {
    const task = data.task;
    let lossSum = 0;
    let weight = 0;
    if (task === 'language-model') {
      let nll = 0;
      let tokens = 0;
      for (const batch of batches) {
        const { output } = model.forward(batch, undefined, { training: false });
        nll += crossEntropy(output, batch.targets, { mask: batch.mask, reduction: 'sum' }).data[0];
        tokens += taskCount(task, batch);
      }
      const m = languageModelMetrics(nll, tokens);
      const bitsName = data.artifacts.tokenizer?.kind === 'char' ? 'bitsPerCharacter' : 'bitsPerToken';
      return { metrics: { loss: m.loss, perplexity: m.perplexity, [bitsName]: m.bits, tokens } };
    }
    if (task === 'classification') {
      const predicted: number[] = [];
      const actual: number[] = [];
      for (const batch of batches) {
        const { output } = model.forward(batch, undefined, { training: false }); // [B, C]
        lossSum += taskLoss(task, output, batch, options).data[0] * batch.size;
        weight += batch.size;
        const best = argmax(output, -1).data;
        for (let b = 0; b < batch.size; b++) {
          predicted.push(best[b]);
          actual.push(batch.targets.data[b]);
        }
      }
      const m = classificationMetrics(predicted, actual, { classes: data.classes });
      return { metrics: { loss: lossSum / weight, accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, count: m.count }, confusion: m.confusion };
    }
    const errors = new RegressionAccumulator();
    const samples = data.samples[split] as SampleList<SeriesSample>;
    let first = 0; // in sample order, so each batch column is paired with its sample (differenced series add back the rows before it)
    for (const batch of batchesOf(data.samples[split], { batchSize: data.batching.batchSize, shuffle: false, dropRemainder: false }, data.seed, split)) {
      const { output } = model.forward(batch, undefined, { training: false }); // [H, B, Ft]
      lossSum += taskLoss(task, output, batch, options).data[0] * batch.size;
      weight += batch.size;
      const these = samples.slice(first, first + batch.size);
      first += batch.size;
      errors.add(seriesInOriginalUnits(data.artifacts, output, these), seriesInOriginalUnits(data.artifacts, batch.targets, these));
    }
    const r = errors.result();
    return { metrics: { loss: lossSum / weight, rmse: r.rmse, mae: r.mae, count: r.count } };
  });
}
