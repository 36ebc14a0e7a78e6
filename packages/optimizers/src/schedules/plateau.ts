import { LoopflowError } from '@loopflow/tensor';
import type { LrTarget } from './scheduler';

/** Options of {@link reduceLROnPlateau}; the defaults are PyTorch's. */
export interface ReduceLROnPlateauOptions {
  /** 'min' (default): a lower metric is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** Multiply the lr by this on a plateau (default 0.1; must be < 1). */
  factor?: number;
  /** Steps without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** The least change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best so far; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** The lr never goes below this (default 0). */
  minLr?: number;
  /** A reduction smaller than this is skipped (default 1e-8). */
  eps?: number;
}

/** A plateau scheduler's position, JSON-able (`best` is null before the first metric). */
export interface PlateauState {
  schedule: 'reduceLROnPlateau';
  step: number;
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
}

/**
 * Reduces an optimizer's lr when a metric stops improving, exactly as
 * torch.optim.lr_scheduler.ReduceLROnPlateau: after more than `patience` steps without an
 * improvement beyond `threshold`, `lr = max(lr * factor, minLr)`, then `cooldown` steps of rest.
 */
export class PlateauScheduler {
  private readonly options: Required<ReduceLROnPlateauOptions>;
  private position = 0;
  private bestValue: number;
  private bad = 0;
  private cooldownLeft = 0;

  constructor(readonly optimizer: LrTarget, options: ReduceLROnPlateauOptions = {}) {
    const o: Required<ReduceLROnPlateauOptions> = {
      mode: options.mode ?? 'min',
      factor: options.factor ?? 0.1,
      patience: options.patience ?? 10,
      threshold: options.threshold ?? 1e-4,
      thresholdMode: options.thresholdMode ?? 'rel',
      cooldown: options.cooldown ?? 0,
      minLr: options.minLr ?? 0,
      eps: options.eps ?? 1e-8,
    };
    const bad = (what: string): never => {
      throw new LoopflowError('INVALID_ARGUMENT', `reduceLROnPlateau: ${what}`);
    };
    if (o.mode !== 'min' && o.mode !== 'max') bad(`mode ${JSON.stringify(o.mode)}; expected 'min' or 'max'`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') bad(`thresholdMode ${JSON.stringify(o.thresholdMode)}; expected 'rel' or 'abs'`);
    if (!(o.factor >= 0 && o.factor < 1)) bad(`factor ${o.factor}; expected a number in [0, 1) (PyTorch: "Factor should be < 1.0")`);
    if (!Number.isInteger(o.patience) || o.patience < 0) bad(`patience ${o.patience}; expected a whole number >= 0`);
    if (!Number.isInteger(o.cooldown) || o.cooldown < 0) bad(`cooldown ${o.cooldown}; expected a whole number >= 0`);
    for (const k of ['threshold', 'minLr', 'eps'] as const) if (!(o[k] >= 0 && Number.isFinite(o[k]))) bad(`${k} ${o[k]}; expected a finite number >= 0`);
    if (!optimizer || typeof optimizer.lr !== 'number') bad('expected an optimizer (an object with a numeric lr)');
    this.options = o;
    this.bestValue = this.worst();
  }

  /** The optimizer's current lr. */
  get lr(): number {
    return this.optimizer.lr;
  }

  /** Metrics seen so far. */
  get stepCount(): number {
    return this.position;
  }

  /** The best metric so far (Infinity / -Infinity before the first). */
  get best(): number {
    return this.bestValue;
  }

  /** Steps since the last improvement (reset by a reduction and during cooldown). */
  get numBadEpochs(): number {
    return this.bad;
  }

  /** Takes this step's metric (e.g. the validation loss), reduces the lr on a plateau, returns the lr. */
  step(metric: number): number {
    if (typeof metric !== 'number') {
      throw new LoopflowError('INVALID_ARGUMENT', `reduceLROnPlateau.step: metric ${JSON.stringify(metric)}; expected a number`);
    }
    this.position += 1;
    if (this.isBetter(metric)) {
      this.bestValue = metric;
      this.bad = 0;
    } else {
      this.bad += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.bad = 0; // bad steps in cooldown do not count
    }
    if (this.bad > this.options.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.options.factor, this.options.minLr);
      if (old - next > this.options.eps) this.optimizer.lr = next;
      this.cooldownLeft = this.options.cooldown;
      this.bad = 0;
    }
    return this.optimizer.lr;
  }

  /** The position, JSON-able (the lr itself is saved with the optimizer's state). */
  stateDict(): PlateauState {
    return {
      schedule: 'reduceLROnPlateau',
      step: this.position,
      best: Number.isFinite(this.bestValue) ? this.bestValue : null,
      numBadEpochs: this.bad,
      cooldownCounter: this.cooldownLeft,
    };
  }

  /** Restores a position saved by `stateDict`. */
  loadStateDict(state: PlateauState): void {
    const ok =
      state?.schedule === 'reduceLROnPlateau' &&
      [state.step, state.numBadEpochs, state.cooldownCounter].every((v) => Number.isInteger(v) && v >= 0) &&
      (state.best === null || typeof state.best === 'number');
    if (!ok) throw new LoopflowError('STATE_INVALID', `reduceLROnPlateau.loadStateDict: not a state from stateDict(): ${JSON.stringify(state)}`);
    this.position = state.step;
    this.bestValue = state.best === null ? this.worst() : state.best;
    this.bad = state.numBadEpochs;
    this.cooldownLeft = state.cooldownCounter;
  }

  private worst(): number {
    return this.options.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.options;
    const best = this.bestValue;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }
}

/**
 * Creates a plateau scheduler for `optimizer`; call `step(metric)` once per evaluation.
 *
 * @example
 * const plateau = reduceLROnPlateau(opt, { factor: 0.5, patience: 3 });
 * for (const epoch of epochs) { train(); plateau.step(validationLoss()); }
 */
export function reduceLROnPlateau(optimizer: LrTarget, options: ReduceLROnPlateauOptions = {}): PlateauScheduler {
  return new PlateauScheduler(optimizer, options);
}
