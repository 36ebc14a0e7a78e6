import { Tensor, grad } from '@loopflow/tensor';
import { CellError } from './errors';
import { RecurrentModule } from './module';
import { RecurrentResult, RunOptions, runRecurrent } from './run';

/** The gradient norms of one layer and direction: `norms[t] = ||dL/dh_t||` (over the batch). */
export interface GradientFlowEntry {
  layer: number;
  direction: 'forward' | 'backward';
  norms: number[];
}

/**
 * Gradient-flow diagnostics: runs `module` on `x`, takes `lossFn` of the result, and returns
 * for every layer and direction the L2 norm of the loss's gradient with respect to the hidden
 * state after each step, `||dL/dh_t||` for t = 0..T-1 (plain data, for plots and reports).
 * With the loss on the last step only, the norms show how far back the gradient reaches:
 * they shrink fast towards t = 0 when gradients vanish.
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
  }));
}
