import type { Random, Tensor } from '@loopflow/tensor';
import type { LrScheduler, Optimizer, PlateauScheduler } from '@loopflow/optimizers';
import type { Observable } from 'rxjs';
import type { CheckpointFs } from './checkpoint-fs';

/** The batches of one epoch: an array or other iterable, an async iterable, or an Observable. */
export type BatchSource<B> = Iterable<B> | AsyncIterable<B> | Observable<B>;

/**
 * What `trainBatches` / `validBatches` receive each epoch. `rng` is derived from the run's
 * seed and the epoch number alone, so the same epoch always gets the same generator (shuffle
 * with it, and a resumed run replays the same order).
 */
export interface BatchContext {
  /** The epoch the batches are for, from 1. */
  epoch: number;
  /** A generator for this epoch's shuffling (`${seed}/train/${epoch}` or `${seed}/valid/${epoch}`). */
  rng: Random;
}

/**
 * The part of a batch's time axis that one forward call covers, when the trainer splits
 * batches for truncated BPTT (see {@link BpttOptions}).
 */
export interface TimeChunk {
  /** First step of the batch in this call. */
  start: number;
  /** One past the last step. */
  end: number;
  /**
   * Whether this call's loss enters the update. False only for the warm-up steps of a
   * TBPTT(k1, k2 > k1) window, which run for the gradient's reach but take no loss.
   */
  inLoss: boolean;
  /** The update within the batch, from 0. */
  update: number;
}

/** What the forward function receives besides the model, the batch and the state. */
export interface ForwardContext {
  /** True in training, false in the validation pass (turn dropout off). */
  training: boolean;
  /** The run's generator for dropout and other noise; saved in checkpoints, so resume is exact. */
  rng: Random;
  /** The epoch, from 1. */
  epoch: number;
  /** The optimizer step this call belongs to, from 1 (in validation: the steps taken so far). */
  step: number;
  /** Present when the trainer split the batch's time axis: the steps this call covers. */
  chunk?: TimeChunk;
}

/** What the forward function returns. */
export interface ForwardResult<S> {
  /** The loss, a scalar tensor (e.g. the mean cross-entropy over the chunk). */
  loss: Tensor;
  /** The recurrent state after the batch (or chunk), carried on detached; omit for a stateless model. */
  state?: S;
  /** Anything else the task wants to keep (predictions...); the trainer ignores it. */
  outputs?: unknown;
  /** Numbers averaged over the validation pass like the loss (accuracy, say) and reported with it. */
  metrics?: Record<string, number>;
  /**
   * The weight of this call in averages: the epoch's train loss, the validation means, and the
   * loss of a TBPTT window split into several calls. Default: the steps of the chunk when the
   * trainer split the batch, else 1. Return the number of tokens for exact per-token means.
   */
  count?: number;
}

/**
 * The task-specific part of training: runs the model on a batch (or a chunk of one) from
 * `state` (undefined = start from zeros) and returns the loss and the new state.
 *
 * @example
 * const forward: ForwardFn<Model, Batch, RecurrentState> = (m, b, state, ctx) => {
 *   const { output, state: next } = runRecurrent(m.lstm, b.inputs, { initialState: state, training: ctx.training });
 *   return { loss: crossEntropy(linear(m.head, output), b.targets), state: next };
 * };
 */
export type ForwardFn<M, B, S> = (model: M, batch: B, state: S | undefined, ctx: ForwardContext) => ForwardResult<S>;

/**
 * How the trainer finds and cuts a batch's time axis for truncated BPTT.
 * `timeMajorSlicer(['inputs', 'targets'])` builds one for batches of time-major tensors.
 */
export interface TimeSlicer<B> {
  /** Steps in the batch (T). */
  length(batch: B): number;
  /** The batch restricted to steps `[start, end)`. */
  slice(batch: B, start: number, end: number): B;
}

/** A batch that can cut its own time axis (the default {@link TimeSlicer}). */
export interface TimeSliceable<B> {
  /** Steps in the batch (T). */
  readonly time: number;
  /** The batch restricted to steps `[start, end)`. */
  sliceTime(start: number, end: number): B;
}

/**
 * Truncated backpropagation through time, TBPTT(k1, k2): the trainer cuts each batch's time
 * axis into updates of `stepsPerUpdate` (k1) steps; each update's gradient reaches back
 * `stepsBackward` (k2 >= k1) steps. With k2 = k1 (the default) each chunk starts from the
 * previous chunk's final state, detached: the classic chunked form. Full BPTT is the absence
 * of this option (one update per batch).
 */
export interface BpttOptions<B> {
  /** Steps whose loss each update takes (k1). */
  stepsPerUpdate: number;
  /** Steps the gradient flows back from the end of each update (k2 >= k1; default k1). */
  stepsBackward?: number;
  /** How to measure and cut a batch; default: the batch's own `time` and `sliceTime` ({@link TimeSliceable}). */
  slicer?: TimeSlicer<B>;
}

/** A scheduler the trainer can drive: an `lrScheduler(...)` or a `reduceLROnPlateau(...)`. */
export type TrainScheduler = LrScheduler | PlateauScheduler;

/** Learning-rate scheduling inside the run. */
export interface ScheduleOptions {
  /** The scheduler, or a factory given the optimizer (needed when `optimizer` is a factory). */
  scheduler: TrainScheduler | ((optimizer: Optimizer) => TrainScheduler);
  /** Step it after every epoch (default) or after every optimizer step. A plateau scheduler needs 'epoch'. */
  every?: 'epoch' | 'step';
  /** The metric a plateau scheduler watches: a key of the validation results (default 'loss'; the train loss without validation). */
  monitor?: string;
}

/** Early stopping on a validation metric (Keras' EarlyStopping). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement tolerated; the run stops when this many pass in a row. */
  patience: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min' (default: a loss) or 'max' (an accuracy). */
  mode?: 'min' | 'max';
  /** At the end of the run (stopped early or not), put back the weights of the best epoch (default false). */
  restoreBest?: boolean;
  /** A key of the validation results (default 'loss'); the train loss when there is no validation. */
  monitor?: string;
}

/** Where and when checkpoints are written. */
export interface CheckpointOptions {
  /** The folder holding the run's checkpoints, one subfolder per checkpoint. Created when absent. */
  dir: string;
  /**
   * 'epoch' (default): after every epoch. A number N: at the first batch boundary after every
   * N optimizer steps (mid-epoch checkpoints; a resumed run replays the epoch's batches up to there).
   */
  every?: 'epoch' | number;
  /** Checkpoints kept, newest first (default 1: the new one replaces the previous once committed). */
  keep?: number;
  /** The file system (default Node's `fs`); tests inject one that fails to simulate a crash. */
  fs?: CheckpointFs;
}

/**
 * The options of {@link train}. `M` is the model (any object whose parameters
 * `namedParameters` finds), `B` a batch, `S` the recurrent state the forward carries.
 */
export interface TrainOptions<M extends object, B, S = unknown> {
  /** The model; its parameters are found by walking it (`namedParameters`) and updated in place. */
  model: M;
  /** The task: model + batch (+ state) -> loss (+ state). */
  forward: ForwardFn<M, B, S>;
  /** An optimizer over the model's parameters, or a factory given them (`(params) => adam(params, { lr })`). */
  optimizer: Optimizer | ((params: Tensor[]) => Optimizer);
  /** Learning-rate schedule. */
  schedule?: ScheduleOptions;
  /** Clip the gradients' global L2 norm to this before every step. */
  clipGradNorm?: number;
  /** Clamp every gradient element into [-v, v] before every step (before norm clipping). */
  clipGradValue?: number;
  /** Truncated BPTT; absent = full BPTT (one update per batch). */
  bptt?: BpttOptions<B>;
  /**
   * When the carried state goes back to undefined (zeros): 'batch' (default: every batch starts
   * from zeros) or 'epoch' (carried from batch to batch, reset at each epoch: stateful training).
   */
  resetState?: 'batch' | 'epoch';
  /** Replaces the default detach of the carried state (tensors detached wherever they sit in arrays / plain objects). */
  detachState?: (state: S) => S;
  /** The training batches of an epoch; called once per epoch. Must give the same batches for the same context. */
  trainBatches: (ctx: BatchContext) => BatchSource<B>;
  /** The validation batches, run after every epoch without gradients. */
  validBatches?: (ctx: BatchContext) => BatchSource<B>;
  /**
   * Metrics of the whole validation split that are not means over batches (RMSE, F1...),
   * computed after each validation pass (without gradients) and added to its results, so
   * `earlyStopping.monitor` and a plateau schedule's monitor may watch them. The pass's own
   * `loss` and forward metrics win on a clash.
   */
  validMetrics?: (ctx: { epoch: number }) => Record<string, number>;
  /** Epochs to run in total (a resumed run counts the epochs already done). */
  epochs: number;
  /** Stop when the monitored metric stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /** Write checkpoints. */
  checkpoint?: CheckpointOptions;
  /** Seed of the run's generators (default 0); a resumed run must pass the checkpoint's seed. */
  seed?: number | string;
  /**
   * A checkpoint folder, or a checkpoints folder: its newest intact checkpoint is used (a damaged
   * newer one is skipped, and named in the `resume` event's `skipped`).
   */
  resumeFrom?: string;
  /**
   * Divergence detection: the run fails with `DIVERGED` when a step's loss exceeds `factor`
   * times the loss of the run's first step (default 1e4: four orders of magnitude), or when a
   * parameter turns NaN or infinite after a step. `false` turns the loss test off (the
   * non-finite-weights test stays).
   */
  divergence?: { factor?: number } | false;
  /**
   * A stop request (an `AbortSignal`, or anything with `aborted`): once it is set the run
   * finishes the batch in progress, writes a checkpoint (when `checkpoint` is set) and fails
   * with `INTERRUPTED` (its `details` name the epoch, the step and the checkpoint).
   */
  signal?: { readonly aborted: boolean };
}

/** One optimizer step. */
export interface StepEvent {
  type: 'step';
  epoch: number;
  /** Optimizer steps so far in the run, from 1. */
  step: number;
  /** The batch of the epoch, from 0. */
  batch: number;
  /** The loss of this update. */
  loss: number;
  /** The learning rate this step used. */
  lr: number;
  /** The gradients' global L2 norm before clipping by norm. */
  gradNorm: number;
  /** Wall time of the step (forward, backward, update), in milliseconds. */
  ms: number;
}

/** Validation results: the mean loss and the mean of every metric the forward returned. */
export interface ValidResults {
  loss: number;
  [metric: string]: number;
}

/** One epoch done (after validation). */
export interface EpochEvent {
  type: 'epoch';
  epoch: number;
  /** Mean loss of the epoch's updates (weighted by `count`). */
  trainLoss: number;
  valid?: ValidResults;
  /** The learning rate after the epoch's schedule step. */
  lr: number;
  ms: number;
}

/** A checkpoint was committed. */
export interface CheckpointEvent {
  type: 'checkpoint';
  /** Completed epochs at the checkpoint. */
  epoch: number;
  step: number;
  /** The checkpoint folder (pass it as `resumeFrom`). */
  path: string;
}

/** The run continues from a checkpoint (first event of a resumed run). */
export interface ResumeEvent {
  type: 'resume';
  epoch: number;
  step: number;
  path: string;
  /** Newer checkpoints that were damaged and passed over (the reason each was refused). */
  skipped?: { path: string; reason: string }[];
}

/** Early stopping ended the run. */
export interface EarlyStopEvent {
  type: 'early-stop';
  epoch: number;
  bestEpoch: number;
  /** The best value of the monitored metric. */
  best: number;
}

/** The best epoch by the monitored metric. */
export interface BestEpoch {
  epoch: number;
  value: number;
  monitor: string;
}

/** The last event of a run that ended normally. */
export interface DoneEvent {
  type: 'done';
  /** Epochs completed. */
  epochs: number;
  steps: number;
  /** Present when a metric was monitored (early stopping, or validation). */
  best?: BestEpoch;
}

/** The events `train` emits, in order: [resume], (step* epoch checkpoint?)*, [early-stop], done. */
export type TrainEvent = StepEvent | EpochEvent | CheckpointEvent | ResumeEvent | EarlyStopEvent | DoneEvent;
