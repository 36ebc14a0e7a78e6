/**
 * @loopflow/optimizers — optimizers with exactly PyTorch's update rules and defaults (SGD with
 * momentum / Nesterov, Adam, AdamW, RMSprop, Adagrad) that update @loopflow/tensor parameters
 * in place; gradient clipping by global norm and by value; learning-rate schedules; and state
 * dicts that resume training bit-identically. Depends only on @loopflow/tensor.
 */
export { Optimizer } from './optimizer';
export type { BaseHyper, HyperValue, ParamState, SavedParamState, OptimizerStateDict } from './optimizer';
export type { EncodedArray, ArrayEncoding } from './state-codec';
export { encodeArray, decodeArray } from './state-codec';
export { sgd, Sgd } from './sgd';
export type { SgdOptions, SgdHyper } from './sgd';
export { adam, adamw, Adam } from './adam';
export type { AdamOptions, AdamHyper } from './adam';
export { rmsprop, Rmsprop } from './rmsprop';
export type { RmspropOptions, RmspropHyper } from './rmsprop';
export { adagrad, Adagrad } from './adagrad';
export type { AdagradOptions, AdagradHyper } from './adagrad';
export { clipGradNorm, clipGradValue } from './clip';
export type { ClipGradNormOptions } from './clip';
export { stepLR, multiStepLR, exponentialLR, cosineAnnealingLR, linearLR, linearWarmup, lambdaLR, sequential } from './schedules/schedule';
export type { LrSchedule } from './schedules/schedule';
export { lrScheduler, LrScheduler } from './schedules/scheduler';
export type { LrTarget, LrSchedulerState } from './schedules/scheduler';
export { reduceLROnPlateau, PlateauScheduler } from './schedules/plateau';
export type { ReduceLROnPlateauOptions, PlateauState } from './schedules/plateau';
