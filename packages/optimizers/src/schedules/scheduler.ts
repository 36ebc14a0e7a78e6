import { LoopflowError } from '@loopflow/tensor';
import type { LrSchedule } from './schedule';

/** Anything with a learning rate to drive: every optimizer of this package. */
export interface LrTarget {
  lr: number;
}

/** A scheduler's position, JSON-able. */
export interface LrSchedulerState {
  schedule: string;
  /** Steps taken (PyTorch's `last_epoch`). */
  step: number;
  /** The lr the schedule scales (PyTorch's `initial_lr`). */
  baseLr: number;
}

/**
 * Drives an optimizer's lr along a schedule. On creation it records the optimizer's lr as
 * the base and sets the lr of position 0 (as a PyTorch scheduler does); each `step()` moves
 * one position on and sets the lr there. The caller decides what a step is (an epoch, or an
 * optimizer step); call it after `optimizer.step()`.
 */
export class LrScheduler {
  private position = 0;
  private base: number;
  private current: number;

  constructor(readonly optimizer: LrTarget, readonly schedule: LrSchedule) {
    if (!optimizer || typeof optimizer.lr !== 'number') {
      throw new LoopflowError('INVALID_ARGUMENT', 'lrScheduler: expected an optimizer (an object with a numeric lr)');
    }
    this.base = optimizer.lr;
    this.current = this.apply();
  }

  /** The lr at the current position (also the optimizer's lr, unless changed by hand since). */
  get lr(): number {
    return this.current;
  }

  /** Steps taken so far (PyTorch's `last_epoch`). */
  get stepCount(): number {
    return this.position;
  }

  /** The lr the schedule starts from. */
  get baseLr(): number {
    return this.base;
  }

  /** Moves one position on, sets the optimizer's lr there and returns it. */
  step(): number {
    this.position += 1;
    this.current = this.apply();
    return this.current;
  }

  /** The position, JSON-able (the schedule itself is code: rebuild it the same way). */
  stateDict(): LrSchedulerState {
    return { schedule: this.schedule.name, step: this.position, baseLr: this.base };
  }

  /** Restores a position saved by `stateDict` and sets the optimizer's lr there. */
  loadStateDict(state: LrSchedulerState): void {
    if (!state || state.schedule !== this.schedule.name) {
      throw new LoopflowError('STATE_MISMATCH', `lrScheduler.loadStateDict: the state is of schedule '${state?.schedule}' but this scheduler runs '${this.schedule.name}'`);
    }
    if (!Number.isInteger(state.step) || state.step < 0 || typeof state.baseLr !== 'number' || !Number.isFinite(state.baseLr)) {
      throw new LoopflowError('STATE_INVALID', `lrScheduler.loadStateDict: expected { step: whole number >= 0, baseLr: number }; received ${JSON.stringify(state)}`);
    }
    this.position = state.step;
    this.base = state.baseLr;
    this.current = this.apply();
  }

  private apply(): number {
    const lr = this.schedule.lrAt(this.position, this.base);
    if (!Number.isFinite(lr) || lr < 0) {
      throw new LoopflowError('INVALID_ARGUMENT', `lrScheduler: schedule '${this.schedule.name}' gave lr ${lr} at step ${this.position}; expected a finite number >= 0`);
    }
    this.optimizer.lr = lr;
    return lr;
  }
}

/**
 * Binds a schedule to an optimizer.
 *
 * @example
 * const opt = adam(params, { lr: 1e-3 });
 * const sched = lrScheduler(opt, sequential([linearWarmup(100), cosineAnnealingLR(900)]));
 * for (const batch of batches) { ...; opt.step(); opt.zeroGrad(); sched.step(); }
 */
export function lrScheduler(optimizer: LrTarget, schedule: LrSchedule): LrScheduler {
  return new LrScheduler(optimizer, schedule);
}
