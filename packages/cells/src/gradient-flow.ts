import { Tensor, grad } from '@loopflow/tensor';
import { CellError } from './errors';
import { RecurrentModule } from './module';
import { RecurrentResult, RunOptions, runRecurrent } from './run';
import { lengthsFromMask } from './lengths';

/** The gradient norms of one layer and direction: `norms[t] = ||dL/dh_t||` (over the batch). */
export interface GradientFlowEntry {
  layer: number;
  direction: 'forward' | 'backward';
  norms: number[];
  /** How many sequences of the batch are still running at each step (all of them without padding). */
  active?: number[];
}

/**
 * Gradient-flow diagnostics: runs `module` on `x`, takes `lossFn` of the result, and returns
 * for every layer and direction the L2 norm of the loss's gradient with respect to the hidden
 * state after each step, `||dL/dh_t||` for t = 0..T-1 (plain data, for plots and reports).
 * With the loss on the last step only, the norms show how far back the gradient reaches:
 * they shrink fast towards t = 0 when gradients vanish. With padding (`lengths` or `mask`), h_t is
 * the state each sequence's own step t produced: sequences that have ended contribute nothing,
 * and `active[t]` counts the sequences still running (`norms[t] / sqrt(active[t])` is a
 * per-sequence scale).
 *
 * @example
 * const flow = gradientFlow(rnn, x, ({ output }) => sum(select(output, 0, -1)));
 * flow[0].norms[0] / flow[0].norms[T - 1] // tiny for a tanh RNN at standard init
 */
export function gradientFlow(module: RecurrentModule, x: Tensor, lossFn: (result: RecurrentResult) => Tensor, options: Omit<RunOptions, 'keepHiddenStates'> = {}): GradientFlowEntry[] {
  const result = runRecurrent(module, x, { ...options, keepHiddenStates: true });
  const loss = lossFn(result);
  if (!(loss instanceof Tensor) || loss.size !== 1) {
    throw new CellError('INVALID_ARGUMENT', `gradientFlow: lossFn returned ${loss instanceof Tensor ? `a tensor of shape [${loss.shape.join(',')}]` : typeof loss}; expected a scalar tensor (reduce with sum or mean)`);
  }
  if (!loss.requiresGrad) {
    throw new CellError('INVALID_ARGUMENT', `gradientFlow: the loss does not depend on anything that requires grad; give the module trainable parameters (requiresGrad: true) or x requiresGrad`);
  }
  const traces = result.hiddenStates ?? [];
  const timeSteps = x.shape[module.config.batchFirst ? 1 : 0];
  const batch = x.shape[module.config.batchFirst ? 0 : 1];
  const lengths = options.lengths ?? (options.mask ? lengthsFromMask(options.mask, module.config.batchFirst) : null);
  const active = Array.from({ length: timeSteps }, (_, t) => (lengths ? lengths.filter((l) => l > t).length : batch));
  const all = traces.flatMap((trace) => trace.states);
  const grads = grad(loss, all);
  let at = 0;
  return traces.map((trace) => ({
    layer: trace.layer,
    direction: trace.direction,
    norms: trace.states.map(() => {
      const g = grads[at++].data;
      let s = 0;
      for (let i = 0; i < g.length; i++) s += g[i] * g[i];
      return Math.sqrt(s);
    }),
    active: active.slice(),
  }));
}
