import { Tensor, add, scale } from '@loopflow/tensor';
import { TrainError } from './errors';
import type { ForwardResult } from './types';

/** A loss that enters an update, with its weight (steps or tokens it averages over). */
export interface WeightedLoss {
  loss: Tensor;
  weight: number;
}

/** Checks what the forward returned: an object with a scalar `loss` tensor (and a valid `count`). */
export function checkForwardResult<S>(result: ForwardResult<S>, where: string): ForwardResult<S> {
  if (!result || typeof result !== 'object' || !(result.loss instanceof Tensor)) {
    throw new TrainError('INVALID_ARGUMENT', `train: forward returned ${result === null ? 'null' : typeof result === 'object' ? 'an object without a loss tensor' : typeof result} (${where}); expected { loss: Tensor, state?, metrics?, count? }`);
  }
  if (result.loss.size !== 1) {
    throw new TrainError('INVALID_ARGUMENT', `train: forward's loss has shape [${result.loss.shape.join(',')}] (${where}); expected a scalar (reduce it with mean or sum)`);
  }
  if (result.count !== undefined && !(typeof result.count === 'number' && result.count >= 0 && Number.isFinite(result.count))) {
    throw new TrainError('INVALID_ARGUMENT', `train: forward's count = ${JSON.stringify(result.count)} (${where}); expected a finite number >= 0`);
  }
  return result;
}

/**
 * The loss of an update made of several forward calls: their weighted mean (one call: its loss
 * as is). The weights make the mean over a split window equal the mean over the whole window.
 */
export function combineLosses(parts: readonly WeightedLoss[]): { loss: Tensor; weight: number } {
  const weight = parts.reduce((s, p) => s + p.weight, 0);
  if (parts.length === 1) return { loss: parts[0].loss, weight };
  if (!(weight > 0)) throw new TrainError('INVALID_ARGUMENT', 'train: the forward calls of an update all returned count 0; at least one must count');
  let total = scale(parts[0].loss, parts[0].weight / weight);
  for (let i = 1; i < parts.length; i++) total = add(total, scale(parts[i].loss, parts[i].weight / weight));
  return { loss: total, weight };
}

/** The global L2 norm of the gradients of `params` (those with a grad), accumulated in float64. */
export function gradientNorm(params: readonly Tensor[]): number {
  let sum = 0;
  for (const p of params) {
    const g = p.grad;
    if (!g) continue;
    const d = g.data;
    for (let i = 0; i < d.length; i++) sum += d[i] * d[i];
  }
  return Math.sqrt(sum);
}
