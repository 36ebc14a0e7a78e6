import type { Optimizer } from '@loopflow/optimizers';
import type { PipelineModel } from '../../model/model';
import type { BestEpoch, EpochEvent } from '../../train/types';
import type { MetricSet } from '../../metrics/metric-set';
import type { PreparedData } from './prepared';
import type { SplitName } from './items';
import type { TaskLossOptions } from '../../task/loss';

/** The element of kind 'model': a model with fresh weights and the data it will learn. */
export interface ModelBundle {
  readonly data: PreparedData;
  readonly model: PipelineModel;
}

/** How training went. */
export interface TrainingSummary {
  epochs: number;
  steps: number;
  best?: BestEpoch;
  stoppedEarly: boolean;
  /** One entry per epoch (train loss, validation results, lr). */
  history: EpochEvent[];
  /** The optimizer, with its state (saved for resume). */
  optimizer: Optimizer;
  /** The loss the model was trained with (evaluation reports the same). */
  loss: TaskLossOptions;
  ms: number;
}

/** The element of kind 'trained-model'. */
export interface TrainedBundle extends ModelBundle {
  readonly training: TrainingSummary;
}

/** The element of kind 'evaluation': the trained model and its metrics per split. */
export interface EvaluatedBundle extends TrainedBundle {
  readonly metrics: Partial<Record<SplitName, MetricSet>>;
  /** Classification: the confusion matrix of each evaluated split, `[actual][predicted]`. */
  readonly confusion?: Partial<Record<SplitName, number[][]>>;
}
