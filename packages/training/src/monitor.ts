import { TrainError } from './errors';

/** A monitor's position (saved in `trainer.json`). */
export interface MonitorState {
  /** The metric watched ('loss' = validation loss, or 'trainLoss' without validation). */
  monitor: string;
  mode: 'min' | 'max';
  /** The best value so far; null before the first epoch. */
  best: number | null;
  bestEpoch: number | null;
  /** Epochs since the last improvement. */
  wait: number;
  /** True once early stopping ended the run. */
  stopped: boolean;
}

/** Options of {@link Monitor}. */
export interface MonitorOptions {
  monitor: string;
  mode: 'min' | 'max';
  /** The least change that counts as an improvement. */
  minDelta: number;
  /** Epochs without improvement before stopping (Infinity: only track the best). */
  patience: number;
}

/**
 * Tracks the best epoch of a metric and counts the epochs since (Keras' EarlyStopping rule):
 * an epoch improves when its value beats the best by more than `minDelta` (the first epoch
 * always does; NaN never does); the run stops when `patience` epochs in a row did not improve.
 *
 * @example
 * const m = new Monitor({ monitor: 'loss', mode: 'min', minDelta: 0, patience: 2 });
 * m.update(1, 0.5); m.update(2, 0.6); m.update(3, 0.7).stop // true
 */
export class Monitor {
  private current: MonitorState;

  constructor(readonly options: MonitorOptions) {
    const { patience, minDelta, mode } = options;
    if (!(patience >= 0) || (Number.isFinite(patience) && !Number.isInteger(patience))) {
      throw new TrainError('INVALID_ARGUMENT', `earlyStopping: patience = ${patience}; expected a whole number >= 0`);
    }
    if (typeof minDelta !== 'number' || !(minDelta >= 0) || !Number.isFinite(minDelta)) {
      throw new TrainError('INVALID_ARGUMENT', `earlyStopping: minDelta = ${minDelta}; expected a finite number >= 0`);
    }
    if (mode !== 'min' && mode !== 'max') throw new TrainError('INVALID_ARGUMENT', `earlyStopping: mode = ${JSON.stringify(mode)}; expected 'min' or 'max'`);
    this.current = { monitor: options.monitor, mode, best: null, bestEpoch: null, wait: 0, stopped: false };
  }

  /** Takes an epoch's value; says whether it is the new best and whether to stop. */
  update(epoch: number, value: number): { improved: boolean; stop: boolean } {
    const s = this.current;
    const { minDelta, mode, patience } = this.options;
    const improved = !Number.isNaN(value) && (s.best === null || (mode === 'min' ? value < s.best - minDelta : value > s.best + minDelta));
    if (improved) {
      s.best = value;
      s.bestEpoch = epoch;
      s.wait = 0;
    } else {
      s.wait += 1;
    }
    const stop = s.wait >= patience;
    if (stop) s.stopped = true;
    return { improved, stop };
  }

  /** The position, JSON-able (a copy). */
  state(): MonitorState {
    return { ...this.current };
  }

  /** Restores a saved position; the metric and mode must be the same. */
  load(saved: MonitorState, where: string): void {
    const ok = saved && typeof saved === 'object' && (saved.best === null || typeof saved.best === 'number') && Number.isInteger(saved.wait) && typeof saved.stopped === 'boolean';
    if (!ok) throw new TrainError('CHECKPOINT_INVALID', `${where}: the monitor state is malformed: ${JSON.stringify(saved)}`);
    if (saved.monitor !== this.options.monitor || saved.mode !== this.options.mode) {
      throw new TrainError('CHECKPOINT_MISMATCH', `${where}: the checkpoint monitored '${saved.monitor}' (${saved.mode}) but this run monitors '${this.options.monitor}' (${this.options.mode}); resume with the same earlyStopping.monitor and mode`);
    }
    this.current = { ...saved };
  }
}
