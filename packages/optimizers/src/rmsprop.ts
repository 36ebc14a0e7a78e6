import { Tensor, allocate } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';
import { Optimizer, ParamState, checkBoolean, checkNonNegative } from './optimizer';

/** Options of {@link rmsprop}; the defaults are PyTorch's. */
export interface RmspropOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator after the square root (default 1e-8). */
  eps?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Divide by an estimate of the gradient's variance instead of its second moment (default false). */
  centered?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

/** RMSprop's resolved hyper-parameters. */
export type RmspropHyper = Required<RmspropOptions>;

function resolveRmsprop(o: RmspropOptions): RmspropHyper {
  return {
    lr: checkNonNegative('rmsprop', 'lr', o.lr ?? 1e-2),
    alpha: checkNonNegative('rmsprop', 'alpha', o.alpha ?? 0.99),
    eps: checkNonNegative('rmsprop', 'eps', o.eps ?? 1e-8),
    momentum: checkNonNegative('rmsprop', 'momentum', o.momentum ?? 0),
    centered: checkBoolean('rmsprop', 'centered', o.centered ?? false),
    weightDecay: checkNonNegative('rmsprop', 'weightDecay', o.weightDecay ?? 0),
    maximize: checkBoolean('rmsprop', 'maximize', o.maximize ?? false),
  };
}

/**
 * RMSprop, exactly torch.optim.RMSprop: `v = alpha v + (1 - alpha) g^2`; centered:
 * `gAvg = gAvg + (1 - alpha) (g - gAvg)`, `avg = sqrt(v - gAvg^2) + eps`, else
 * `avg = sqrt(v) + eps`; with momentum `b = momentum b + g / avg`, `p -= lr b`, else
 * `p -= lr g / avg`.
 */
export class Rmsprop extends Optimizer<RmspropHyper> {
  constructor(params: readonly Tensor[], options: RmspropOptions = {}) {
    super('rmsprop', params, resolveRmsprop(options));
  }

  protected resolve(options: Partial<RmspropHyper>): RmspropHyper {
    return resolveRmsprop(options);
  }

  protected initState(p: Tensor): ParamState {
    const h = this.hyperParams;
    return {
      step: 0,
      buffers: {
        squareAvg: allocate(p.dtype, p.size),
        gradAvg: h.centered ? allocate(p.dtype, p.size) : null,
        momentumBuffer: h.momentum > 0 ? allocate(p.dtype, p.size) : null,
      },
    };
  }

  protected update(p: FloatArray, g: FloatArray, state: ParamState): void {
    const { lr, alpha, eps, momentum, centered, weightDecay, maximize } = this.hyperParams;
    const n = p.length;
    const dtype = p instanceof Float64Array ? 'float64' : 'float32';
    const buffers = state.buffers;
    const sq = (buffers.squareAvg ??= allocate(dtype, n));
    const gAvg = centered ? (buffers.gradAvg ??= allocate(dtype, n)) : null;
    const buf = momentum > 0 ? (buffers.momentumBuffer ??= allocate(dtype, n)) : null;
    const oneMinusAlpha = 1 - alpha;
    const sign = maximize ? -1 : 1;
    const decay = weightDecay !== 0;

    for (let i = 0; i < n; i++) {
      const gi = decay ? sign * g[i] + weightDecay * p[i] : sign * g[i];
      const vi = sq[i] * alpha + oneMinusAlpha * gi * gi;
      sq[i] = vi;
      let avg: number;
      if (gAvg !== null) {
        const ai = gAvg[i] + oneMinusAlpha * (gi - gAvg[i]); // lerp, as PyTorch
        gAvg[i] = ai;
        avg = Math.sqrt(vi - ai * ai) + eps;
      } else {
        avg = Math.sqrt(vi) + eps;
      }
      if (buf !== null) {
        const bi = buf[i] * momentum + gi / avg;
        buf[i] = bi;
        p[i] -= lr * bi;
      } else {
        p[i] -= lr * (gi / avg);
      }
    }
  }
}

/**
 * Creates an RMSprop optimizer over `params` (updated in place).
 *
 * @example
 * const opt = rmsprop(params, { lr: 1e-3, centered: true });
 */
export function rmsprop(params: readonly Tensor[], options: RmspropOptions = {}): Rmsprop {
  return new Rmsprop(params, options);
}
