import { Tensor } from '@loopflow/tensor';
import { PointwiseLossOptions, checkPair, pointwiseLoss } from './pointwise';

/**
 * Mean squared error, `(pred - target)^2` per element, reduced as in `torch.nn.functional.mse_loss`.
 * Gradients flow to both `pred` and `target`.
 *
 * Shapes: `pred` and `target` the same shape `[...]` (no broadcasting); the result is a scalar
 * `[]`, or `[...]` with `reduction: 'none'`.
 *
 * @example
 * const loss = mseLoss(forecast, truth);                 // [B, T, F] -> []
 * const perStep = mseLoss(forecast, truth, { reduction: 'none' }); // [B, T, F]
 * const padded = mseLoss(forecast, truth, { mask });     // mask [B, T]: mean over kept steps
 */
export function mseLoss(pred: Tensor, target: Tensor, options: PointwiseLossOptions = {}): Tensor {
  checkPair('mseLoss', pred, target, ['pred', 'target']);
  return pointwiseLoss('mseLoss', pred, target, options, (p, t, loss, dPred, dTarget) => {
    for (let i = 0; i < loss.length; i++) {
      const d = p[i] - t[i];
      loss[i] = d * d;
      dPred[i] = 2 * d;
      dTarget[i] = -2 * d;
    }
  });
}
