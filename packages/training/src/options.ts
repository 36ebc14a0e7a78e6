import { PlateauScheduler } from '@loopflow/optimizers';
import type { Optimizer } from '@loopflow/optimizers';
import type { Tensor } from '@loopflow/tensor';
import { TrainError } from './errors';
import type { TrainOptions, TrainScheduler } from './types';

function fail(message: string): never {
  throw new TrainError('INVALID_ARGUMENT', `train: ${message}`);
}

function positive(name: string, value: unknown, integer: boolean): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value));
  if (!ok) fail(`${name} = ${JSON.stringify(value)}; expected ${integer ? 'a whole number >= 1' : 'a finite number > 0'}`);
}

/** Checks the options of `train` before anything runs; throws INVALID_ARGUMENT naming the option. */
export function checkOptions<M extends object, B, S>(o: TrainOptions<M, B, S>): void {
  if (!o || typeof o !== 'object') fail('expected an options object { model, forward, optimizer, trainBatches, epochs, ... }');
  if (!o.model || typeof o.model !== 'object') fail('model is missing; pass the object holding the parameters');
  if (typeof o.forward !== 'function') fail('forward is missing; pass (model, batch, state, ctx) => ({ loss, state })');
  if (!o.optimizer || (typeof o.optimizer !== 'function' && typeof (o.optimizer as Optimizer).step !== 'function')) {
    fail('optimizer is missing; pass an optimizer (adam(parameters(model), { lr })) or a factory (params) => adam(params, { lr })');
  }
  if (typeof o.trainBatches !== 'function') fail('trainBatches must be a function ({ epoch, rng }) => batches, called once per epoch');
  if (o.validBatches !== undefined && typeof o.validBatches !== 'function') fail('validBatches must be a function ({ epoch, rng }) => batches');
  if (o.validMetrics !== undefined && typeof o.validMetrics !== 'function') fail('validMetrics must be a function ({ epoch }) => { metric: number }');
  if (o.validMetrics !== undefined && o.validBatches === undefined) fail('validMetrics needs validBatches (they run after each validation pass)');
  positive('epochs', o.epochs, true);
  if (o.clipGradNorm !== undefined) positive('clipGradNorm', o.clipGradNorm, false);
  if (o.clipGradValue !== undefined) positive('clipGradValue', o.clipGradValue, false);
  if (o.resetState !== undefined && o.resetState !== 'batch' && o.resetState !== 'epoch') fail(`resetState = ${JSON.stringify(o.resetState)}; expected 'batch' or 'epoch'`);
  if (o.bptt !== undefined) {
    positive('bptt.stepsPerUpdate', o.bptt.stepsPerUpdate, true);
    if (o.bptt.stepsBackward !== undefined) positive('bptt.stepsBackward', o.bptt.stepsBackward, true);
  }
  if (o.seed !== undefined && typeof o.seed !== 'string' && !(typeof o.seed === 'number' && Number.isFinite(o.seed))) fail(`seed = ${JSON.stringify(o.seed)}; expected a number or a string`);
  if (o.divergence !== undefined && o.divergence !== false) {
    if (typeof o.divergence !== 'object' || o.divergence === null) fail(`divergence = ${JSON.stringify(o.divergence)}; expected { factor } or false`);
    if (o.divergence.factor !== undefined && !(typeof o.divergence.factor === 'number' && o.divergence.factor > 1)) fail(`divergence.factor = ${JSON.stringify(o.divergence.factor)}; expected a number > 1`);
  }
  if (o.checkpoint !== undefined) {
    if (typeof o.checkpoint.dir !== 'string' || o.checkpoint.dir === '') fail('checkpoint.dir must be a folder path');
    const every = o.checkpoint.every ?? 'epoch';
    if (every !== 'epoch') positive('checkpoint.every', every, true);
    if (o.checkpoint.keep !== undefined) positive('checkpoint.keep', o.checkpoint.keep, true);
  }
  if (o.resumeFrom !== undefined && (typeof o.resumeFrom !== 'string' || o.resumeFrom === '')) fail('resumeFrom must be a checkpoint folder path');
  if (o.earlyStopping !== undefined && (typeof o.earlyStopping !== 'object' || o.earlyStopping === null)) fail('earlyStopping must be { patience, minDelta?, mode?, restoreBest?, monitor? }');
  if (o.schedule !== undefined) {
    if (!o.schedule || !o.schedule.scheduler) fail('schedule.scheduler is missing; pass lrScheduler(opt, ...) / reduceLROnPlateau(opt) or a factory (optimizer) => scheduler');
    const every = o.schedule.every ?? 'epoch';
    if (every !== 'epoch' && every !== 'step') fail(`schedule.every = ${JSON.stringify(every)}; expected 'epoch' or 'step'`);
  }
}

/** The optimizer of the run: the one given, or the factory's over the model's parameters (each checked to be one of them). */
export function resolveOptimizer(option: TrainOptions<object, unknown>['optimizer'], params: Tensor[]): Optimizer {
  const optimizer = typeof option === 'function' ? option(params.slice()) : option;
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.stateDict !== 'function') fail('optimizer (or its factory) gave no optimizer');
  const own = new Set(params);
  optimizer.params.forEach((p, i) => {
    if (!own.has(p)) fail(`the optimizer's params[${i}] is not a parameter of the model (namedParameters(model) does not reach it); build the optimizer over parameters(model)`);
  });
  return optimizer;
}

/** The scheduler of the run, checked against how it is stepped. */
export function resolveScheduler(option: TrainOptions<object, unknown>['schedule'], optimizer: Optimizer): TrainScheduler | null {
  if (!option) return null;
  const s = typeof option.scheduler === 'function' ? option.scheduler(optimizer) : option.scheduler;
  if (!s || typeof s.step !== 'function' || typeof s.stateDict !== 'function') fail('schedule.scheduler (or its factory) gave no scheduler');
  if (s.optimizer !== optimizer) fail('schedule.scheduler drives another optimizer than the run\'s; pass a factory (optimizer) => scheduler when optimizer is a factory');
  if (s instanceof PlateauScheduler && (option.every ?? 'epoch') !== 'epoch') fail('a reduceLROnPlateau scheduler takes the validation metric once per epoch; use schedule.every: \'epoch\'');
  return s;
}
