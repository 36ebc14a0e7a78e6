import { LoopflowError, Tensor } from '@loopflow/tensor';
import { PointwiseLossOptions, checkPair, pointwiseLoss } from './pointwise';

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends PointwiseLossOptions {
  /** Where the loss turns from quadratic to linear (default 1.0, must be > 0). */
  delta?: number;
}

/**
 * Huber loss, as `torch.nn.functional.huber_loss`: with `d = pred - target`,
 * `0.5 d^2` where `|d| < delta`, else `delta (|d| - 0.5 delta)`. Its gradient is `d` inside
 * and `delta * sign(d)` outside, so large errors pull with a bounded force.
 *
 * Shapes: `pred` and `target` the same shape `[...]`; the result is a scalar `[]`, or `[...]`
 * with `reduction: 'none'`.
 *
 * @example
 * const loss = huberLoss(pred, target, { delta: 0.5 });
 */
export function huberLoss(pred: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  checkPair('huberLoss', pred, target, ['pred', 'target']);
  const delta = options.delta ?? 1.0;
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) {
    throw new LoopflowError('INVALID_ARGUMENT', `huberLoss: delta ${delta} is invalid; expected a finite number > 0 (PyTorch's default is 1.0)`);
  }
  const halfDelta = 0.5 * delta;
  return pointwiseLoss('huberLoss', pred, target, options, (p, t, loss, dPred, dTarget) => {
    for (let i = 0; i < loss.length; i++) {
      const d = p[i] - t[i];
      const a = Math.abs(d);
      let g: number;
      if (a < delta) {
        loss[i] = 0.5 * d * d;
        g = d;
      } else {
        loss[i] = delta * (a - halfDelta);
        g = d > 0 ? delta : -delta;
      }
      dPred[i] = g;
      dTarget[i] = -g;
    }
  });
}
