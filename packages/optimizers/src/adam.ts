import { LoopflowError, Tensor, allocate } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';
import { Optimizer, ParamState, checkBoolean, checkNonNegative } from './optimizer';

/** Options of {@link adam} and {@link adamw}; the defaults are PyTorch's. */
export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moments (default [0.9, 0.999]), each in [0, 1). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /**
   * Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay,
   * `p *= 1 - lr * weightDecay` before the update (default 0.01).
   */
  weightDecay?: number;
  /** Use the maximum of past second moments (AMSGrad; default false). */
  amsgrad?: boolean;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

/** Adam's resolved hyper-parameters. */
export interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

function resolveAdam(name: string, o: AdamOptions, defaultDecay: number): AdamHyper {
  const betas = o.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2 || betas.some((b) => typeof b !== 'number' || !(b >= 0 && b < 1))) {
    throw new LoopflowError('INVALID_ARGUMENT', `${name}: betas = ${JSON.stringify(betas)} is invalid; expected two numbers in [0, 1), e.g. [0.9, 0.999]`);
  }
  return {
    lr: checkNonNegative(name, 'lr', o.lr ?? 1e-3),
    betas: [betas[0], betas[1]],
    eps: checkNonNegative(name, 'eps', o.eps ?? 1e-8),
    weightDecay: checkNonNegative(name, 'weightDecay', o.weightDecay ?? defaultDecay),
    amsgrad: checkBoolean(name, 'amsgrad', o.amsgrad ?? false),
    maximize: checkBoolean(name, 'maximize', o.maximize ?? false),
  };
}

/**
 * Adam, exactly torch.optim.Adam (and, with `decoupled`, torch.optim.AdamW). At step t:
 * `m = m + (1 - b1) (g - m)`, `v = b2 v + (1 - b2) g^2`,
 * `p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)` (with AMSGrad, `v` is the
 * running maximum). Adam adds `weightDecay * p` to the gradient; AdamW first scales
 * `p *= 1 - lr * weightDecay`.
 */
export class Adam extends Optimizer<AdamHyper> {
  constructor(params: readonly Tensor[], options: AdamOptions = {}, private readonly decoupled = false) {
    super(decoupled ? 'adamw' : 'adam', params, resolveAdam(decoupled ? 'adamw' : 'adam', options, decoupled ? 0.01 : 0));
  }

  protected resolve(options: Partial<AdamHyper>): AdamHyper {
    return resolveAdam(this.name, options, this.decoupled ? 0.01 : 0);
  }

  protected initState(p: Tensor): ParamState {
    return {
      step: 0,
      buffers: {
        expAvg: allocate(p.dtype, p.size),
        expAvgSq: allocate(p.dtype, p.size),
        maxExpAvgSq: this.hyperParams.amsgrad ? allocate(p.dtype, p.size) : null,
      },
    };
  }

  protected update(p: FloatArray, g: FloatArray, state: ParamState): void {
    const { lr, betas, eps, weightDecay, amsgrad, maximize } = this.hyperParams;
    const [beta1, beta2] = betas;
    const n = p.length;
    const buffers = state.buffers;
    const dtype = p instanceof Float64Array ? 'float64' : 'float32';
    const m = (buffers.expAvg ??= allocate(dtype, n));
    const v = (buffers.expAvgSq ??= allocate(dtype, n));
    const vMax = amsgrad ? (buffers.maxExpAvgSq ??= allocate(dtype, n)) : null;

    const t = state.step;
    const biasCorrection1 = 1 - Math.pow(beta1, t);
    const biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    const stepSize = lr / biasCorrection1;
    const oneMinusBeta1 = 1 - beta1;
    const oneMinusBeta2 = 1 - beta2;
    const sign = maximize ? -1 : 1;
    const l2 = this.decoupled ? 0 : weightDecay; // added to the gradient (Adam)
    const shrink = this.decoupled && weightDecay !== 0 ? 1 - lr * weightDecay : 1; // applied to p (AdamW)

    for (let i = 0; i < n; i++) {
      let pi = p[i];
      const gi = l2 !== 0 ? sign * g[i] + l2 * pi : sign * g[i];
      if (shrink !== 1) pi *= shrink;
      const mi = m[i] + oneMinusBeta1 * (gi - m[i]); // lerp, as PyTorch
      const vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      let second = vi;
      if (vMax !== null) {
        second = vMax[i] > vi ? vMax[i] : vi;
        vMax[i] = second;
      }
      p[i] = pi - stepSize * (mi / (Math.sqrt(second) / biasCorrection2Sqrt + eps));
    }
  }
}

/**
 * Creates an Adam optimizer over `params` (updated in place).
 *
 * @example
 * const opt = adam(params, { lr: 1e-3 });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export function adam(params: readonly Tensor[], options: AdamOptions = {}): Adam {
  return new Adam(params, options, false);
}

/**
 * Creates an AdamW optimizer (decoupled weight decay, PyTorch's default `weightDecay` 0.01)
 * over `params` (updated in place).
 *
 * @example
 * const opt = adamw(params, { lr: 3e-4, weightDecay: 0.1 });
 */
export function adamw(params: readonly Tensor[], options: AdamOptions = {}): Adam {
  return new Adam(params, options, true);
}
