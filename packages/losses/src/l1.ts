import { Tensor } from '@loopflow/tensor';
import { PointwiseLossOptions, checkPair, pointwiseLoss } from './pointwise';

/**
 * Mean absolute error (L1), `|pred - target|` per element, as `torch.nn.functional.l1_loss`.
 * The gradient is `sign(pred - target)`, 0 where they are equal (as PyTorch).
 *
 * Shapes: `pred` and `target` the same shape `[...]`; the result is a scalar `[]`, or `[...]`
 * with `reduction: 'none'`.
 *
 * @example
 * const mae = l1Loss(pred, target); // [N, F] -> []
 */
export function l1Loss(pred: Tensor, target: Tensor, options: PointwiseLossOptions = {}): Tensor {
  checkPair('l1Loss', pred, target, ['pred', 'target']);
  return pointwiseLoss('l1Loss', pred, target, options, (p, t, loss, dPred, dTarget) => {
    for (let i = 0; i < loss.length; i++) {
      const d = p[i] - t[i];
      const s = d > 0 ? 1 : d < 0 ? -1 : 0;
      loss[i] = Math.abs(d);
      dPred[i] = s;
      dTarget[i] = -s;
    }
  });
}

/** Another name for {@link l1Loss}: the mean absolute error. */
export const maeLoss = l1Loss;
