import { LoopflowError, ShapeError, Tensor, allocate, fmtShape, isGradEnabled, record } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';
import { Reduction, checkReduction } from './reduction';
import { MaskLike, resolveMask } from './mask';

/** Options shared by the elementwise losses (MSE, L1, Huber, BCE with logits). */
export interface PointwiseLossOptions {
  /** `'mean'` (default), `'sum'` or `'none'` (a loss per element, the input's shape). */
  reduction?: Reduction;
  /**
   * Weights over the leading dimensions of the input (`[B, T]` for `[B, T, F]`, or the full
   * shape); 0 ignores an element. With `'mean'` the result is the mean over the kept
   * elements: `sum(w * loss) / sum(w over every element)`. Not a PyTorch option.
   */
  mask?: MaskLike;
}

/**
 * Fills, for each element i, the loss and its derivatives with respect to the prediction and
 * the target. Reads plain doubles; the helper handles dtype, reduction, mask and autograd.
 */
export type PointwiseKernel = (
  pred: FloatArray,
  target: FloatArray,
  loss: Float64Array,
  dPred: Float64Array,
  dTarget: Float64Array,
) => void;

/** Checks that `a` and `b` are tensors of one dtype and one shape. */
export function checkPair(op: string, a: unknown, b: unknown, names: [string, string]): [Tensor, Tensor] {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new LoopflowError('INVALID_ARGUMENT', `${op}: ${names[0]} and ${names[1]} must be Tensors`);
  }
  if (a.dtype !== b.dtype) {
    throw new LoopflowError('DTYPE_MISMATCH', `${op}: ${names[0]} is ${a.dtype} but ${names[1]} is ${b.dtype}; convert one with .to('${a.dtype}')`);
  }
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError(
      `${op}: ${names[0]} has shape ${fmtShape(a.shape)} but ${names[1]} has shape ${fmtShape(b.shape)}; expected equal shapes ` +
        `(loopflow does not broadcast loss inputs: reshape the ${names[1]} to ${fmtShape(a.shape)})`,
    );
  }
  return [a, b];
}

/**
 * An elementwise loss as one recorded op: forward fills per-element losses and derivatives
 * with `kernel`, then reduces; backward scales the stored derivatives.
 */
export function pointwiseLoss(op: string, pred: Tensor, target: Tensor, options: PointwiseLossOptions, kernel: PointwiseKernel): Tensor {
  const reduction = checkReduction(op, options.reduction);
  const n = pred.size;
  const loss = new Float64Array(n);
  const dPred = new Float64Array(n);
  const dTarget = new Float64Array(n);
  kernel(pred.data, target.data, loss, dPred, dTarget);

  // Weight of each element (null = all 1) and the divisor of 'mean'.
  let weights: Float64Array | null = null;
  let block = 1;
  let divisor = n;
  if (options.mask !== undefined) {
    const m = resolveMask(op, options.mask, pred.shape);
    weights = m.weights;
    block = m.block;
    divisor = 0;
    for (let k = 0; k < weights.length; k++) divisor += weights[k] * block;
  }

  // A masked-out element contributes exactly 0 (even when its values are NaN padding).
  const weightOf = (i: number): number => (weights ? weights[Math.floor(i / block)] : 1);
  let out: Tensor;
  if (reduction === 'none') {
    const data = allocate(pred.dtype, n);
    for (let i = 0; i < n; i++) {
      const w = weightOf(i);
      data[i] = w === 0 ? 0 : w * loss[i];
    }
    out = new Tensor(data, pred.shape);
  } else {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weightOf(i);
      if (w !== 0) total += w * loss[i];
    }
    const data = allocate(pred.dtype, 1);
    data[0] = reduction === 'mean' ? total / divisor : total;
    out = new Tensor(data, []);
  }
  if (!isGradEnabled() || !(pred.requiresGrad || target.requiresGrad)) return out;

  return record(op, [pred, target], out, (g) => {
    const gPred = pred.requiresGrad ? allocate(pred.dtype, n) : null;
    const gTarget = target.requiresGrad ? allocate(target.dtype, n) : null;
    const scale = reduction === 'mean' ? g.data[0] / divisor : g.data[0];
    for (let i = 0; i < n; i++) {
      const w = weightOf(i);
      if (w === 0) continue;
      const c = (reduction === 'none' ? g.data[i] : scale) * w;
      if (gPred) gPred[i] = c * dPred[i];
      if (gTarget) gTarget[i] = c * dTarget[i];
    }
    return [gPred && new Tensor(gPred, pred.shape), gTarget && new Tensor(gTarget, target.shape)];
  });
}
