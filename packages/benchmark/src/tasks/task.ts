import type { Random, Tensor } from '@loopflow/tensor';
import type { TaskName } from '../names';

/**
 * One batch of a task, time-major as the recurrent cells read it.
 * - `inputs`: `[T, B, inputSize]` real-valued features (token tasks are one-hot).
 * - `targets`: what the task's `evaluate` compares with the outputs (see each task).
 * - `mask`: `[T, B]`, 1 at real steps, for tasks with padded batches (character LM).
 * - `group`: the value this batch stands for in per-group results (long-context: the distance).
 */
export interface TaskBatch {
  inputs: Tensor;
  targets: Tensor;
  mask?: Tensor;
  group?: number;
}

/**
 * What `evaluate` returns for a batch: the differentiable mean loss, and the task metric as a
 * sum over the batch with its count, so metrics of several batches combine exactly
 * (`finish(sum of metricSum / sum of count)`).
 */
export interface BatchEvaluation {
  /** Scalar tensor: the training loss (mean over the batch). */
  loss: Tensor;
  /** The metric summed over the batch (squared errors, correct answers, bits...). */
  metricSum: number;
  /** What the metric is averaged over (examples, recalled symbols, characters). */
  count: number;
}

/** A reference value the report compares models with. */
export interface Baseline {
  name: string;
  value: number;
}

/** How a task is scored and when it counts as solved. */
export interface MetricSpec {
  /** Short name for tables: 'MSE', 'accuracy', 'bits/char', 'RMSE (ppm)'. */
  name: string;
  better: 'lower' | 'higher';
  /** The threshold of "solved" (compared with `better`: below for 'lower', at or above for 'higher'). */
  solvedAt: number;
  /** The rule in words, for the report: 'test MSE < 0.01'. */
  solvedRule: string;
  /** The mean of the metric's per-item values -> the metric (identity, or sqrt for an RMSE). */
  finish(mean: number): number;
  /** Reference values: chance, always-1, bigram model, seasonal naive... */
  baselines: Baseline[];
}

/** Whether `value` meets the solved threshold of `metric`. */
export function isSolved(metric: Pick<MetricSpec, 'better' | 'solvedAt'>, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  return metric.better === 'lower' ? value < metric.solvedAt : value >= metric.solvedAt;
}

/**
 * A task at one setting (a length, a delay, a set of distances), ready to train on: input and
 * output sizes, a generator of training batches, fixed validation and test sets (the same for
 * every model and seed), and the loss / metric of a batch.
 */
export interface TaskInstance {
  task: TaskName;
  /** Unique within a suite: 'adding/T=100'. */
  id: string;
  /** The setting that varies within the task: `{ name: 'length', value: 100 }`. */
  setting: { name: string; value: number };
  inputSize: number;
  outputSize: number;
  /** The longest sequence any batch holds (sets IndRNN's recurrent bound). */
  maxLength: number;
  /** The first step whose output the loss reads, for a batch of T steps (T - 1: only the last). */
  readFrom(T: number): number;
  /** A fresh training batch drawn with `rng`. */
  trainBatch(rng: Random, batchSize: number): TaskBatch;
  /** Fixed validation batches (used for "steps until solved"). */
  validation: TaskBatch[];
  /** Fixed test batches (the final metric); for grouped tasks one or more per group. */
  test: TaskBatch[];
  /** The loss and metric of `outputs` `[T - readFrom, B, outputSize]` on `batch`. */
  evaluate(outputs: Tensor, batch: TaskBatch): BatchEvaluation;
  metric: MetricSpec;
  /** Present for tasks reported per group: the group's name ('distance'). */
  groupName?: string;
  /** A line for the report: what the task is at this setting. */
  description: string;
}

/** Sizes of the fixed sets and the seed they are drawn from (independent of the model seeds). */
export interface EvaluationSizes {
  /** Examples in the validation set (per group for grouped tasks). */
  validationSize: number;
  /** Examples in the test set (per group for grouped tasks). */
  testSize: number;
}
