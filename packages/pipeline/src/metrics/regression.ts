import { LoopflowError } from '@loopflow/tensor';

/** Errors of a forecast in the series' own units. */
export interface RegressionMetrics {
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /** Values compared. */
  count: number;
}

/**
 * Running sums for RMSE and MAE over predictions that arrive in pieces (batches).
 *
 * @example
 * const acc = new RegressionAccumulator();
 * acc.add([1, 2], [1, 4]); acc.result() // { rmse: sqrt(2), mae: 1, count: 2 }
 */
export class RegressionAccumulator {
  private squared = 0;
  private absolute = 0;
  private n = 0;

  /** Adds pairs of predicted and true values (same length). */
  add(predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
    if (predicted.length !== actual.length) {
      throw new LoopflowError('INVALID_ARGUMENT', `regression metrics: ${predicted.length} predictions but ${actual.length} true values; expected one per value`);
    }
    for (let i = 0; i < actual.length; i++) {
      const e = predicted[i] - actual[i];
      this.squared += e * e;
      this.absolute += Math.abs(e);
    }
    this.n += actual.length;
  }

  result(): RegressionMetrics {
    return { rmse: Math.sqrt(this.squared / this.n), mae: this.absolute / this.n, count: this.n };
  }
}

/**
 * RMSE and MAE of predictions against true values, in whatever units they are given (pass
 * values with the scaler inverted to get the series' original units).
 *
 * @example regressionMetrics([2, 4], [1, 1]) // { rmse: sqrt(5), mae: 2, count: 2 }
 */
export function regressionMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): RegressionMetrics {
  const acc = new RegressionAccumulator();
  acc.add(predicted, actual);
  return acc.result();
}
