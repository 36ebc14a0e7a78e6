/**
 * @loopflow/training — the training loop: `train(options)` runs full or truncated BPTT over a
 * model's forward function and emits a stream of events (steps, epochs, validation,
 * checkpoints, early stopping). Depends on the model-side packages only; pipeline and
 * benchmark build on it.
 *
 * This file is the package's whole public API.
 */
export { train } from './train';
export type {
  TrainOptions, ForwardFn, ForwardContext, ForwardResult, TimeChunk, BatchContext, BatchSource,
  BpttOptions, TimeSlicer, TimeSliceable, ScheduleOptions, TrainScheduler, EarlyStoppingOptions, CheckpointOptions,
  TrainEvent, StepEvent, EpochEvent, CheckpointEvent, ResumeEvent, EarlyStopEvent, DoneEvent, ValidResults, BestEpoch,
} from './types';
export { TrainError } from './errors';
export type { TrainErrorCode, NonFiniteDetails } from './errors';
export { bpttWindows, windowSegments, timeMajorSlicer } from './bptt';
export type { UpdateWindow, WindowSegment } from './bptt';
export { Monitor } from './monitor';
export type { MonitorOptions, MonitorState } from './monitor';
export { readCheckpoint, readNewestIntactCheckpoint, listCheckpoints, checkSameModel } from './checkpoint-read';
export { upgradeCheckpoint } from './legacy-checkpoint';
export type { LoadedCheckpoint, CheckpointSummary, SkippedCheckpoint } from './checkpoint-read';
export { CHECKPOINT_FORMAT, CHECKPOINT_FILES } from './checkpoint-format';
export type { TrainerFile, OptimizerFile, ParameterDescription, FileRecord } from './checkpoint-format';
export type { CheckpointFs } from './checkpoint-fs';
export { findGenerators } from './generators';
export type { ModelGenerator } from './generators';
export { detachCarried } from './carried-state';
export { workerEntry } from './worker-entry';
export type { WorkerEntry } from './worker-entry';
