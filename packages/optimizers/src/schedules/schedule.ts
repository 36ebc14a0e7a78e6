import { LoopflowError } from '@loopflow/tensor';

/**
 * A learning-rate schedule: a pure rule from the schedule position to the lr, written in
 * PyTorch's closed forms. It drives an optimizer once bound with `lrScheduler(optimizer,
 * schedule)`; the same schedule object may be bound to several optimizers.
 */
export interface LrSchedule {
  /** The kind, e.g. 'stepLR' (saved in scheduler state to check a resume). */
  readonly name: string;
  /** The lr at position `step` (0 = before the first `step()`) for the starting lr `baseLr`. */
  lrAt(step: number, baseLr: number): number;
  /** How many steps this schedule spans inside `sequential` (linearWarmup's warmupSteps); undefined when open-ended. */
  readonly length?: number;
}

function positiveInteger(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: ${name} = ${JSON.stringify(value)} is invalid; expected a whole number >= 1`);
  }
  return value;
}

function finiteNumber(op: string, name: string, value: unknown, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: ${name} = ${JSON.stringify(value)} is invalid; expected a finite number${min > -Infinity ? ` >= ${min}` : ''}`);
  }
  return value;
}

/**
 * Multiplies the lr by `gamma` every `stepSize` steps, as torch.optim.lr_scheduler.StepLR:
 * `lr = base * gamma^floor(step / stepSize)`.
 *
 * @example lrScheduler(opt, stepLR(30, 0.1)) // 0.1x at steps 30, 60, ...
 */
export function stepLR(stepSize: number, gamma = 0.1): LrSchedule {
  positiveInteger('stepLR', 'stepSize', stepSize);
  finiteNumber('stepLR', 'gamma', gamma, 0);
  return { name: 'stepLR', lrAt: (step, base) => base * Math.pow(gamma, Math.floor(step / stepSize)) };
}

/**
 * Multiplies the lr by `gamma` at each milestone, as MultiStepLR:
 * `lr = base * gamma^(number of milestones <= step)`.
 *
 * @example lrScheduler(opt, multiStepLR([30, 80], 0.1))
 */
export function multiStepLR(milestones: readonly number[], gamma = 0.1): LrSchedule {
  const sorted = milestones.map((m) => positiveInteger('multiStepLR', 'milestone', m)).sort((a, b) => a - b);
  finiteNumber('multiStepLR', 'gamma', gamma, 0);
  return {
    name: 'multiStepLR',
    lrAt: (step, base) => base * Math.pow(gamma, sorted.filter((m) => m <= step).length),
  };
}

/**
 * Multiplies the lr by `gamma` every step, as ExponentialLR: `lr = base * gamma^step`.
 *
 * @example lrScheduler(opt, exponentialLR(0.95))
 */
export function exponentialLR(gamma: number): LrSchedule {
  finiteNumber('exponentialLR', 'gamma', gamma, 0);
  return { name: 'exponentialLR', lrAt: (step, base) => base * Math.pow(gamma, step) };
}

/**
 * Cosine annealing from the base lr down to `etaMin` over `tMax` steps, as CosineAnnealingLR:
 * `lr = etaMin + (base - etaMin) (1 + cos(pi step / tMax)) / 2`. As in PyTorch, the curve is
 * not clamped: past `tMax` it rises again (period `2 tMax`); stop stepping at `tMax`, or use
 * `sequential` to follow it with a constant.
 *
 * @example lrScheduler(opt, cosineAnnealingLR(1000, 1e-5))
 */
export function cosineAnnealingLR(tMax: number, etaMin = 0): LrSchedule {
  positiveInteger('cosineAnnealingLR', 'tMax', tMax);
  finiteNumber('cosineAnnealingLR', 'etaMin', etaMin, 0);
  return {
    name: 'cosineAnnealingLR',
    lrAt: (step, base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * step) / tMax))) / 2,
  };
}

/**
 * A linear ramp of the lr factor from `startFactor` to `endFactor` over `totalIters` steps, then
 * constant, as LinearLR (PyTorch's defaults: 1/3, 1, 5):
 * `lr = base * (start + (end - start) * min(step, totalIters) / totalIters)`.
 */
export function linearLR(startFactor = 1 / 3, endFactor = 1, totalIters = 5): LrSchedule {
  finiteNumber('linearLR', 'startFactor', startFactor, 0);
  finiteNumber('linearLR', 'endFactor', endFactor, 0);
  positiveInteger('linearLR', 'totalIters', totalIters);
  return {
    name: 'linearLR',
    length: totalIters,
    lrAt: (step, base) => base * (startFactor + ((endFactor - startFactor) * Math.min(step, totalIters)) / totalIters),
  };
}

/**
 * Linear warmup: the lr rises from `startFactor * base` (default 0) to `base` over
 * `warmupSteps` steps, then stays there — PyTorch's LinearLR(startFactor, 1, warmupSteps).
 * Put it before another schedule with `sequential`.
 *
 * @example lrScheduler(opt, sequential([linearWarmup(100), cosineAnnealingLR(900)]))
 */
export function linearWarmup(warmupSteps: number, startFactor = 0): LrSchedule {
  positiveInteger('linearWarmup', 'warmupSteps', warmupSteps);
  const ramp = linearLR(startFactor, 1, warmupSteps);
  return { name: 'linearWarmup', length: warmupSteps, lrAt: ramp.lrAt };
}

/**
 * The lr `base * factor(step)` for a function of your own, as LambdaLR.
 *
 * @example lrScheduler(opt, lambdaLR((step) => 1 / Math.sqrt(step + 1)))
 */
export function lambdaLR(factor: (step: number) => number): LrSchedule {
  if (typeof factor !== 'function') throw new LoopflowError('INVALID_ARGUMENT', 'lambdaLR: expected a function from the step to a factor');
  return { name: 'lambdaLR', lrAt: (step, base) => base * factor(step) };
}

/**
 * Schedules one after another, as SequentialLR: schedule k runs from milestone k-1 on, from
 * its own position 0, with the same base lr. `milestones` (one fewer than the schedules)
 * default to the running sum of each schedule's `length` (so a warmup needs none).
 *
 * @example
 * sequential([linearWarmup(100), cosineAnnealingLR(900, 1e-5)]);         // milestone 100
 * sequential([stepLR(10, 0.5), exponentialLR(0.9)], [40]);                // explicit milestone
 */
export function sequential(schedules: readonly LrSchedule[], milestones?: readonly number[]): LrSchedule {
  if (!Array.isArray(schedules) || schedules.length === 0) {
    throw new LoopflowError('INVALID_ARGUMENT', 'sequential: expected a non-empty array of schedules');
  }
  let marks: number[];
  if (milestones === undefined) {
    marks = [];
    let at = 0;
    for (let k = 0; k < schedules.length - 1; k++) {
      const length = schedules[k].length;
      if (length === undefined) {
        throw new LoopflowError('INVALID_ARGUMENT', `sequential: schedule ${k} ('${schedules[k].name}') has no fixed length; pass milestones (${schedules.length - 1} step numbers)`);
      }
      at += length;
      marks.push(at);
    }
  } else {
    marks = milestones.map((m) => positiveInteger('sequential', 'milestone', m));
    if (marks.length !== schedules.length - 1 || marks.some((m, i) => i > 0 && m <= marks[i - 1])) {
      throw new LoopflowError('INVALID_ARGUMENT', `sequential: ${schedules.length} schedules need ${schedules.length - 1} increasing milestones; received ${JSON.stringify(milestones)}`);
    }
  }
  const children = schedules.slice();
  const total = children[children.length - 1].length;
  return {
    name: `sequential(${children.map((s) => s.name).join(',')})`,
    length: total === undefined ? undefined : (marks[marks.length - 1] ?? 0) + total,
    lrAt(step, base) {
      let k = 0;
      while (k < marks.length && step >= marks[k]) k++;
      return children[k].lrAt(k === 0 ? step : step - marks[k - 1], base);
    },
  };
}
