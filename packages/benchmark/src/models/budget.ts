import { RecurrentKind, normalizeConfig, parameterShapes } from '@loopflow/cells';
import { TransformerConfig, configForBudget, transformerParameterCount } from '@loopflow/attention';
import { BenchmarkError, fail } from '../errors';
import type { ModelKind } from '../names';
import { ARCHITECTURES } from './architecture';

/** What a model reads and writes: features per step in, values or logits per step out. */
export interface ModelIO {
  inputSize: number;
  outputSize: number;
}

/** A width chosen for a parameter budget, with the exact count it gives. */
export interface BudgetChoice {
  kind: ModelKind;
  /** Hidden size (recurrent) or dModel (transformer). */
  width: number;
  /** Trainable numbers of the whole model (recurrent stack or transformer, plus the head). */
  parameters: number;
  /** The transformer's config (transformer only). */
  transformer?: TransformerConfig;
}

/**
 * Parameters of a recurrent model of the comparison: the stack (PyTorch's shapes, both biases)
 * plus a linear head `[outputSize, H] + [outputSize]`.
 * Closed forms: RNN `H(I + H + 2) + H O + O`, LSTM `4H(I + H + 2) + ...`, GRU `3H(I + H + 2) + ...`,
 * 2-layer IndRNN `H(I + 3) + H(H + 3) + ...`.
 *
 * @example recurrentParameterCount('lstm', 32, { inputSize: 2, outputSize: 1 }) // 4641
 */
export function recurrentParameterCount(kind: RecurrentKind, hiddenSize: number, io: ModelIO, numLayers = ARCHITECTURES[kind].layers): number {
  const config = normalizeConfig(kind, { inputSize: io.inputSize, hiddenSize, numLayers });
  let n = 0;
  for (const shape of Object.values(parameterShapes(kind, config))) n += shape.reduce((a, b) => a * b, 1);
  return n + hiddenSize * io.outputSize + io.outputSize;
}

/** The transformer config the comparison uses for these sizes (dModel still open). */
export function transformerBase(io: ModelIO, heads: number, layers: number): Omit<TransformerConfig, 'dModel'> {
  return { input: { kind: 'features', size: io.inputSize }, outputSize: io.outputSize, heads, layers, dropout: 0, positional: 'sinusoidal' };
}

/**
 * The transformer closest to `budget`: `configForBudget` picks dModel (a multiple of the
 * heads: 4, or 2 / 1 when the budget is tiny); then, for that dModel and its neighbours, the
 * MLP width is set within [2, 8] x dModel to bring the count closer (dModel moves in steps of
 * the heads, the MLP width in steps of one).
 */
function transformerForBudget(budget: number, io: ModelIO): BudgetChoice {
  const arch = ARCHITECTURES.transformer;
  for (const heads of [arch.heads ?? 4, 2, 1]) {
    let fit;
    try {
      fit = configForBudget<TransformerConfig>(budget, transformerBase(io, heads, arch.layers));
    } catch (e) {
      if (e instanceof Error && (e as { code?: string }).code === 'BUDGET_TOO_SMALL') continue;
      throw e;
    }
    if (fit.config.dModel < 2 * heads && heads > 1) continue;
    let best: BudgetChoice = { kind: 'transformer', width: fit.config.dModel, parameters: fit.parameters, transformer: fit.config };
    for (const dModel of [fit.config.dModel - heads, fit.config.dModel, fit.config.dModel + heads]) {
      if (dModel < heads) continue;
      const base = { ...transformerBase(io, heads, arch.layers), dModel };
      const atMin = transformerParameterCount({ ...base, mlpWidth: 2 * dModel });
      const perUnit = transformerParameterCount({ ...base, mlpWidth: 2 * dModel + 1 }) - atMin; // layers * (2 d + 1)
      const mlpWidth = Math.min(8 * dModel, Math.max(2 * dModel, 2 * dModel + Math.round((budget - atMin) / perUnit)));
      const config = { ...base, mlpWidth };
      const parameters = transformerParameterCount(config);
      if (Math.abs(parameters - budget) < Math.abs(best.parameters - budget)) best = { kind: 'transformer', width: dModel, parameters, transformer: config };
    }
    return best;
  }
  const smallest = transformerParameterCount({ ...transformerBase(io, 1, arch.layers), dModel: 1 });
  throw new BenchmarkError('BUDGET_TOO_SMALL', `widthForBudget: the smallest transformer (dModel 1, ${arch.layers} blocks) has ${smallest} parameters, more than twice the budget ${budget}; raise the budget`);
}

/**
 * Chooses the width of a model kind whose parameter count is closest to `budget` (the other
 * sizes fixed by {@link ARCHITECTURES}): the hidden size of a recurrent model by walking H up
 * until the count passes the budget, the transformer's dModel through `configForBudget`
 * (see transformerForBudget: dModel, then the MLP width). Throws BUDGET_TOO_SMALL when
 * the smallest model has more than twice the budget.
 *
 * @example widthForBudget('lstm', 4600, { inputSize: 2, outputSize: 1 }) // { width: 32, parameters: 4641, ... }
 */
export function widthForBudget(kind: ModelKind, budget: number, io: ModelIO): BudgetChoice {
  if (!(Number.isFinite(budget) && budget >= 1)) fail('INVALID_ARGUMENT', `widthForBudget: budget = ${budget}; expected a positive number of parameters`);
  if (kind === 'transformer') return transformerForBudget(budget, io);
  let best: BudgetChoice | null = null;
  for (let H = 1; ; H++) {
    const parameters = recurrentParameterCount(kind, H, io);
    if (!best || Math.abs(parameters - budget) < Math.abs(best.parameters - budget)) best = { kind, width: H, parameters };
    if (parameters >= budget) break;
  }
  if (best.parameters > 2 * budget) fail('BUDGET_TOO_SMALL', `widthForBudget: the smallest ${kind} (hidden size 1) has ${best.parameters} parameters, more than twice the budget ${budget}; raise the budget`);
  return best;
}
