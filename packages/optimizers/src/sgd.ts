import { LoopflowError, Tensor, allocate } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';
import { Optimizer, ParamState, checkBoolean, checkNonNegative } from './optimizer';

/** Options of {@link sgd}; the defaults are PyTorch's. */
export interface SgdOptions {
  /** Learning rate (default 1e-3, PyTorch's since 2.2). */
  lr?: number;
  /** Momentum factor mu (default 0: plain SGD). */
  momentum?: number;
  /** Dampening tau of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty lambda added to the gradient (default 0). */
  weightDecay?: number;
  /** Maximize the objective instead (default false). */
  maximize?: boolean;
}

/** SGD's resolved hyper-parameters. */
export type SgdHyper = Required<SgdOptions>;

function resolveSgd(o: SgdOptions): SgdHyper {
  const h: SgdHyper = {
    lr: checkNonNegative('sgd', 'lr', o.lr ?? 1e-3),
    momentum: checkNonNegative('sgd', 'momentum', o.momentum ?? 0),
    dampening: checkNonNegative('sgd', 'dampening', o.dampening ?? 0),
    nesterov: checkBoolean('sgd', 'nesterov', o.nesterov ?? false),
    weightDecay: checkNonNegative('sgd', 'weightDecay', o.weightDecay ?? 0),
    maximize: checkBoolean('sgd', 'maximize', o.maximize ?? false),
  };
  if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
    throw new LoopflowError('INVALID_ARGUMENT', `sgd: nesterov needs momentum > 0 and dampening 0 (got momentum ${h.momentum}, dampening ${h.dampening})`);
  }
  return h;
}

/**
 * Stochastic gradient descent with optional momentum, exactly torch.optim.SGD:
 * `g = grad + weightDecay * p`; with momentum `b = g` on the first step, then
 * `b = momentum * b + (1 - dampening) * g`; `g = nesterov ? g + momentum * b : b`; `p -= lr * g`.
 */
export class Sgd extends Optimizer<SgdHyper> {
  constructor(params: readonly Tensor[], options: SgdOptions = {}) {
    super('sgd', params, resolveSgd(options));
  }

  protected resolve(options: Partial<SgdHyper>): SgdHyper {
    return resolveSgd(options);
  }

  protected initState(): ParamState {
    return { step: 0, buffers: { momentumBuffer: null } };
  }

  protected update(p: FloatArray, g: FloatArray, state: ParamState): void {
    const { lr, momentum, dampening, nesterov, weightDecay, maximize } = this.hyperParams;
    const n = p.length;
    const sign = maximize ? -1 : 1;
    const decay = weightDecay !== 0;
    if (momentum === 0) {
      for (let i = 0; i < n; i++) {
        const gi = decay ? sign * g[i] + weightDecay * p[i] : sign * g[i];
        p[i] -= lr * gi;
      }
      return;
    }
    let buf = state.buffers.momentumBuffer;
    const first = buf === null || buf === undefined;
    if (first) buf = state.buffers.momentumBuffer = allocate(p instanceof Float64Array ? 'float64' : 'float32', n);
    const b = buf as FloatArray;
    const keep = 1 - dampening;
    for (let i = 0; i < n; i++) {
      const gi = decay ? sign * g[i] + weightDecay * p[i] : sign * g[i];
      const bi = first ? gi : momentum * b[i] + keep * gi;
      b[i] = bi;
      p[i] -= lr * (nesterov ? gi + momentum * bi : bi);
    }
  }
}

/**
 * Creates an SGD optimizer over `params` (updated in place).
 *
 * @example
 * const opt = sgd(params, { lr: 0.1, momentum: 0.9, nesterov: true });
 * loss.backward(); opt.step(); opt.zeroGrad();
 */
export function sgd(params: readonly Tensor[], options: SgdOptions = {}): Sgd {
  return new Sgd(params, options);
}
