import { Tensor, argmax } from '@loopflow/tensor';
import { crossEntropy, huberLoss, l1Loss, mseLoss } from '@loopflow/losses';
import type { Batch } from '@loopflow/data';
import type { Task } from '../vocabulary/prepared';
import type { LossName, TaskLossOptions } from '../vocabulary/bundle';

/** The loss a task uses unless told otherwise. */
export function defaultLoss(task: Task): LossName {
  return task === 'forecast' ? 'mse' : 'cross-entropy';
}

/**
 * The loss of a batch, by task: cross-entropy over the real steps (language model, logits
 * `[T, B, V]`, targets `[T, B]`, mask `[T, B]`), cross-entropy of classes (`[B, C]`, `[B]`),
 * or MSE / MAE / Huber of a forecast (`[H, B, Ft]`, scaled units).
 */
export function taskLoss(task: Task, output: Tensor, batch: Batch, options: TaskLossOptions = {}): Tensor {
  const loss = options.loss ?? defaultLoss(task);
  if (task === 'language-model') return crossEntropy(output, batch.targets, { mask: batch.mask, labelSmoothing: options.labelSmoothing });
  if (task === 'classification') return crossEntropy(output, batch.targets, { labelSmoothing: options.labelSmoothing });
  if (loss === 'mae') return l1Loss(output, batch.targets);
  if (loss === 'huber') return huberLoss(output, batch.targets, { delta: options.huberDelta });
  return mseLoss(output, batch.targets);
}

/** What a batch's loss averages over: real tokens (language model) or samples. */
export function taskCount(task: Task, batch: Batch): number {
  if (task !== 'language-model') return batch.size;
  let n = 0;
  const m = batch.mask.data;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}

/** Quick metrics of a batch for the trainer's validation pass (averaged with `taskCount` weights). */
export function batchMetrics(task: Task, output: Tensor, batch: Batch): Record<string, number> | undefined {
  if (task !== 'classification') return undefined;
  const predicted = argmax(output, -1).data; // [B]
  let correct = 0;
  for (let b = 0; b < batch.size; b++) if (predicted[b] === batch.targets.data[b]) correct++;
  return { accuracy: correct / batch.size };
}
