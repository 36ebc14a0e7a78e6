import { Tensor, allocate } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';
import { Optimizer, ParamState, checkBoolean, checkNonNegative } from './optimizer';

/** Options of {@link adagrad}; the defaults are PyTorch's. */
export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Learning-rate decay: step t uses `lr / (1 + (t - 1) lrDecay)` (default 0). */
  lrDecay?: number;
  /** Added to the denominator (default 1e-10). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

/** Adagrad's resolved hyper-parameters. */
export type AdagradHyper = Required<AdagradOptions>;

function resolveAdagrad(o: AdagradOptions): AdagradHyper {
  return {
    lr: checkNonNegative('adagrad', 'lr', o.lr ?? 1e-2),
    lrDecay: checkNonNegative('adagrad', 'lrDecay', o.lrDecay ?? 0),
    eps: checkNonNegative('adagrad', 'eps', o.eps ?? 1e-10),
    weightDecay: checkNonNegative('adagrad', 'weightDecay', o.weightDecay ?? 0),
    initialAccumulatorValue: checkNonNegative('adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue ?? 0),
    maximize: checkBoolean('adagrad', 'maximize', o.maximize ?? false),
  };
}

/**
 * Adagrad, exactly torch.optim.Adagrad: at step t, `clr = lr / (1 + (t - 1) lrDecay)`,
 * `sum += g^2`, `p -= clr * g / (sqrt(sum) + eps)`.
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: readonly Tensor[], options: AdagradOptions = {}) {
    super('adagrad', params, resolveAdagrad(options));
  }

  protected resolve(options: Partial<AdagradHyper>): AdagradHyper {
    return resolveAdagrad(options);
  }

  protected initState(p: Tensor): ParamState {
    const sum = allocate(p.dtype, p.size);
    const init = this.hyperParams.initialAccumulatorValue;
    if (init !== 0) sum.fill(init);
    return { step: 0, buffers: { sum } };
  }

  protected update(p: FloatArray, g: FloatArray, state: ParamState): void {
    const { lr, lrDecay, eps, weightDecay, maximize } = this.hyperParams;
    const n = p.length;
    let sum = state.buffers.sum;
    if (!sum) {
      sum = state.buffers.sum = allocate(p instanceof Float64Array ? 'float64' : 'float32', n);
      sum.fill(this.hyperParams.initialAccumulatorValue);
    }
    const clr = lr / (1 + (state.step - 1) * lrDecay);
    const sign = maximize ? -1 : 1;
    const decay = weightDecay !== 0;
    for (let i = 0; i < n; i++) {
      const gi = decay ? sign * g[i] + weightDecay * p[i] : sign * g[i];
      const si = sum[i] + gi * gi;
      sum[i] = si;
      p[i] -= clr * (gi / (Math.sqrt(si) + eps));
    }
  }
}

/**
 * Creates an Adagrad optimizer over `params` (updated in place).
 *
 * @example
 * const opt = adagrad(params, { lr: 0.05 });
 */
export function adagrad(params: readonly Tensor[], options: AdagradOptions = {}): Adagrad {
  return new Adagrad(params, options);
}
