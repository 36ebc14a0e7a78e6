import { namedParameters } from '@loopflow/layers';
import { TransformerConfig, resolveTransformerConfig } from './model-config';
import { fail } from './errors';

/**
 * The number of trainable numbers in any module or model (the sum of the sizes of
 * `namedParameters(model)`; a tied tensor counts once).
 *
 * @example countParameters(createDecoder(rng, config)) // e.g. 52,737
 */
export function countParameters(model: unknown): number {
  let n = 0;
  for (const [, t] of namedParameters(model)) n += t.size;
  return n;
}

/**
 * The parameter count of the decoder or encoder a config describes, without building it
 * (equal to `countParameters(createDecoder(rng, config))`). With d = dModel, m = mlpWidth,
 * b = 1 with biases else 0, L layers:
 * input `V d` (tokens) or `F d + b d` (features); learned positions `maxLength d`;
 * per block `4 d^2 + 4 b d` (attention) `+ 2 d m + b (m + d)` (MLP) `+ 4 d` (two LayerNorms);
 * final LayerNorm `2 d`; head `d out + b out`.
 *
 * @example transformerParameterCount({ input: { kind: 'tokens', vocabSize: 65 }, outputSize: 65, dModel: 64, heads: 4, layers: 2 })
 */
export function transformerParameterCount(config: TransformerConfig): number {
  const c = resolveTransformerConfig(config, 'transformerParameterCount');
  const d = c.dModel;
  const m = c.mlpWidth;
  const b = c.bias ? 1 : 0;
  const input = c.input.kind === 'tokens' ? c.input.vocabSize * d : c.input.size * d + b * d;
  const positions = c.positional === 'learned' ? c.maxLength * d : 0;
  const block = 4 * d * d + 4 * b * d + 2 * d * m + b * (m + d) + 4 * d;
  return input + positions + c.layers * block + 2 * d + d * c.outputSize + b * c.outputSize;
}

/** A config chosen for a budget, and its exact parameter count. */
export interface BudgetFit<C extends TransformerConfig> {
  config: C;
  parameters: number;
}

/**
 * Chooses `dModel` (a multiple of `heads`) so that the model's parameter count is as close
 * as possible to `budget`, the other sizes fixed (`mlpWidth`, when not given, stays
 * 4 * dModel). For equal-budget comparisons with RNN/LSTM models of the same task.
 * Throws `BUDGET_TOO_SMALL` when even dModel = heads exceeds twice the budget.
 *
 * @example
 * const { config, parameters } = configForBudget(50_000, {
 *   input: { kind: 'tokens', vocabSize: 65 }, outputSize: 65, heads: 4, layers: 2,
 * });
 * const model = createDecoder(rng, config); // parameters ≈ 50,000
 */
export function configForBudget<C extends TransformerConfig>(budget: number, base: Omit<C, 'dModel'> & { dModel?: number }): BudgetFit<C> {
  if (!Number.isFinite(budget) || budget < 1) fail('INVALID_ARGUMENT', `configForBudget: budget = ${budget}; expected a positive number of parameters`);
  const heads = base.heads;
  if (!Number.isInteger(heads) || heads < 1) fail('INVALID_ARGUMENT', `configForBudget: heads = ${heads}; expected a positive integer`);
  const withWidth = (dModel: number) => ({ ...base, dModel }) as unknown as C;
  let best: BudgetFit<C> | null = null;
  // The count grows with dModel; walk up the multiples of heads until it passes the budget.
  for (let dModel = heads; ; dModel += heads) {
    const config = withWidth(dModel);
    const parameters = transformerParameterCount(config);
    if (!best || Math.abs(parameters - budget) < Math.abs(best.parameters - budget)) best = { config, parameters };
    if (parameters >= budget) break;
  }
  if (best.parameters > 2 * budget) {
    fail('BUDGET_TOO_SMALL', `configForBudget: the smallest model (dModel ${heads}, ${base.layers} layers, ${heads} heads) has ${best.parameters} parameters, more than twice the budget ${budget}; use fewer heads or layers, or a larger budget`);
  }
  return best;
}
