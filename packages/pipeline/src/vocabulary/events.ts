import type { TrainEvent } from '@loopflow/training';
import type { SplitName } from './items';
import type { MetricSet } from './metric-set';

/** A stage started or finished (its stream completed). */
export interface StageEvent {
  type: 'stage';
  index: number;
  name: string;
  status: 'start' | 'done';
  /** Milliseconds from start to done. */
  ms?: number;
}

/** The data is prepared: samples and batches per split. */
export interface DataEvent {
  type: 'data';
  task: string;
  samples: Record<SplitName, number>;
  batches: Record<SplitName, number>;
}

/** Training is about to start (sizes for progress bars). */
export interface TrainStartEvent {
  type: 'train-start';
  epochs: number;
  /** Training batches per epoch. */
  batchesPerEpoch: number;
  /** Optimizer steps per batch (more than 1 with truncated BPTT). */
  updatesPerBatch: number;
  /** Trainable parameters of the model. */
  parameters: number;
}

/** What a file source read: rows kept, and rows skipped as bad (`onBadRow: 'skip'`) with the first ones' messages. */
export interface ReadEvent {
  type: 'read';
  /** The stage (`csv`, `json-lines`) and its place in the definition (`/stages/0`). */
  stage: string;
  path: string;
  /** The file as the definition names it. */
  file: string;
  rows: number;
  skipped: number;
  /** The messages of the first skipped rows (file, line, column, what was expected). */
  errors: string[];
}

/** Metrics of the trained model on one split. */
export interface EvaluationEvent {
  type: 'evaluation';
  split: SplitName;
  metrics: MetricSet;
}

/** Metrics of a baseline (the `baselines` stage) on one split. */
export interface BaselineEvent {
  type: 'baseline';
  name: string;
  split: SplitName;
  metrics: MetricSet;
}

/** A file written by an output stage. */
export interface OutputEvent {
  type: 'output';
  file: string;
  what: string;
}

/** A note for the user (e.g. a default chosen). */
export interface LogEvent {
  type: 'log';
  message: string;
}

/** Everything a running pipeline reports. Training events come from the trainer unchanged. */
export type PipelineEvent = StageEvent | ReadEvent | DataEvent | TrainStartEvent | TrainEvent | EvaluationEvent | BaselineEvent | OutputEvent | LogEvent;
