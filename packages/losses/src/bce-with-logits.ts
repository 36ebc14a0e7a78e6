import { LoopflowError, ShapeError, Tensor, fmtShape } from '@loopflow/tensor';
import { PointwiseLossOptions, checkPair, pointwiseLoss } from './pointwise';

/** Options of {@link binaryCrossEntropyWithLogits}. */
export interface BceWithLogitsOptions extends PointwiseLossOptions {
  /**
   * Weight of the positive term, one number or one per class (the last dimension, `[C]`), as
   * PyTorch's `pos_weight`: above 1 raises recall, below 1 raises precision.
   */
  posWeight?: number | Tensor | ArrayLike<number>;
}

function readPosWeight(op: string, posWeight: BceWithLogitsOptions['posWeight'], shape: readonly number[]): Float64Array | null {
  if (posWeight === undefined) return null;
  const values: ArrayLike<number> = typeof posWeight === 'number' ? [posWeight] : posWeight instanceof Tensor ? posWeight.data : posWeight;
  const last = shape.length > 0 ? shape[shape.length - 1] : 1;
  if (posWeight instanceof Tensor && posWeight.ndim > 1) {
    throw new ShapeError(`${op}: posWeight of shape ${fmtShape(posWeight.shape)}; expected one number or a vector [${last}] (one per class of the last dimension)`);
  }
  if (values.length !== 1 && values.length !== last) {
    throw new ShapeError(`${op}: posWeight has ${values.length} values but the logits' last dimension is ${last} (shape ${fmtShape(shape)}); pass one number or ${last} values`);
  }
  const out = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new LoopflowError('INVALID_ARGUMENT', `${op}: posWeight value ${out[i]} at ${i} is not finite`);
  }
  return out;
}

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`:
 * the sigmoid and the log-loss in one numerically stable op,
 * `max(x, 0) - x y + log(1 + exp(-|x|))` for logit `x` and target `y` in [0, 1] (finite for any
 * logit, e.g. +-1000). With `posWeight` p: `(1 - y) x + (1 + (p - 1) y) (log(1 + exp(-|x|)) + max(-x, 0))`.
 * Gradients: `sigmoid(x) - y` for the logits (without posWeight), and one for the targets.
 *
 * Shapes: `logits` and `targets` the same shape `[..., C]`; the result is a scalar `[]`, or
 * `[..., C]` with `reduction: 'none'`.
 *
 * @example
 * const loss = binaryCrossEntropyWithLogits(scores, labels);                  // [N, C] -> []
 * const rare = binaryCrossEntropyWithLogits(scores, labels, { posWeight: 5 }); // positives count 5x
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkPair(op, logits, targets, ['logits', 'targets']);
  const posWeight = readPosWeight(op, options.posWeight, logits.shape);
  const classes = posWeight ? posWeight.length : 1;
  return pointwiseLoss(op, logits, targets, options, (x, y, loss, dLogits, dTargets) => {
    for (let i = 0; i < loss.length; i++) {
      const xi = x[i];
      const yi = y[i];
      // exp(-|x|) never overflows; sigmoid(x) and sigmoid(-x) follow from it without cancellation.
      const e = Math.exp(-Math.abs(xi));
      const logTerm = Math.log1p(e);
      const sigmoidPos = xi >= 0 ? 1 / (1 + e) : e / (1 + e);
      const sigmoidNeg = xi >= 0 ? e / (1 + e) : 1 / (1 + e);
      // softplus(-x) = log(1 + exp(-x)) = max(-x, 0) + log1p(exp(-|x|)).
      const softplusNeg = Math.max(-xi, 0) + logTerm;
      if (posWeight) {
        const p = posWeight[classes === 1 ? 0 : i % classes];
        const coef = 1 + (p - 1) * yi;
        loss[i] = (1 - yi) * xi + coef * softplusNeg;
        dLogits[i] = 1 - yi - coef * sigmoidNeg; // (1 - y) + coef (sigmoid(x) - 1)
        dTargets[i] = -xi + (p - 1) * softplusNeg;
      } else {
        loss[i] = Math.max(xi, 0) - xi * yi + logTerm;
        dLogits[i] = sigmoidPos - yi;
        dTargets[i] = -xi;
      }
    }
  });
}
