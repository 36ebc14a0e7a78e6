/**
 * Conformance handlers for the loss cases (`loss_mse`, `loss_l1`, `loss_huber`,
 * `loss_cross_entropy`, `loss_bce_with_logits`): the loss and the gradient of every input the
 * file has a `grad_<input>` tensor for. Hyper-parameters come from `config`, with PyTorch's
 * default for a key that is absent (or null).
 */
import { Tensor, grad, mean, mul, sum } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss } from '@loopflow/losses';
import type { Reduction } from '@loopflow/losses';
import { GoldenFormatError } from '../errors';
import { compareWith, goldenTensor, loadTensor } from '../golden';
import type { CaseHandler, CaseOutcome, Comparison, Golden, RunContext } from '../types';

/** `config[key]` as a number, or `fallback` when absent / null (PyTorch's default). */
function configNumberOr(golden: Golden, key: string, fallback: number): number {
  const value = golden.config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new GoldenFormatError(`case '${golden.case}': config.${key} must be a number; found ${JSON.stringify(value)}`);
  }
  return value;
}

function reductionOf(golden: Golden): Reduction {
  const r = golden.config.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') {
    throw new GoldenFormatError(`case '${golden.case}': config.reduction ${JSON.stringify(r)}; expected 'mean', 'sum' or 'none'`);
  }
  return r;
}

/** The first of `names` that the file has (the prediction is 'pred', 'input' or 'logits'). */
function presentName(golden: Golden, names: readonly string[]): string {
  const found = names.find((n) => golden.tensors[n] !== undefined);
  if (!found) goldenTensor(golden, names[0]); // throws, listing the tensors present
  return found as string;
}

type LossFn = (golden: Golden, inputs: Record<string, Tensor>, dtype: DType, reduction: Reduction) => Tensor;

/**
 * Loads the inputs, computes the loss, and compares it and each `grad_<input>` of the file.
 * A non-scalar loss (reduction 'none') is back-propagated as sum(loss * R) when the file has
 * `R`, else as sum(loss).
 */
function runLoss(golden: Golden, context: Partial<RunContext> | undefined, inputNames: string[], fn: LossFn): CaseOutcome {
  const dtype: DType = context?.dtype ?? 'float32';
  const gradNames = Object.keys(golden.tensors).filter((k) => k.startsWith('grad_'));
  const inputs: Record<string, Tensor> = {};
  for (const name of inputNames) {
    inputs[name] = loadTensor(golden, name, dtype, { requiresGrad: gradNames.includes(`grad_${name}`) });
  }
  for (const g of gradNames) {
    if (!inputs[g.slice(5)]) {
      throw new GoldenFormatError(`case '${golden.case}': tensor '${g}' names no input of this loss (inputs: ${inputNames.join(', ')})`);
    }
  }
  const loss = fn(golden, inputs, dtype, reductionOf(golden));
  const comparisons: Comparison[] = [compareWith(golden, 'loss', loss)];
  if (gradNames.length > 0) {
    const R = golden.tensors.R ? loadTensor(golden, 'R', dtype, { shape: loss.shape }) : null;
    const scalar = loss.size === 1 && !R ? loss : sum(R ? mul(loss, R) : loss);
    const grads = grad(scalar, gradNames.map((g) => inputs[g.slice(5)]));
    gradNames.forEach((g, i) => comparisons.push(compareWith(golden, g, grads[i])));
  }
  return { status: 'ran', comparisons };
}

function pointwiseHandler(caseName: string, description: string, fn: (pred: Tensor, target: Tensor, golden: Golden, reduction: Reduction) => Tensor): CaseHandler {
  const pattern = new RegExp(`^${caseName}($|_)`);
  return {
    description,
    matches: (name) => pattern.test(name),
    run(golden: Golden, context?: Partial<RunContext>) {
      const pred = presentName(golden, ['pred', 'input']);
      return runLoss(golden, context, [pred, 'target'], (g, inputs, _dtype, reduction) => fn(inputs[pred], inputs.target, g, reduction));
    },
  };
}

/** Applies PyTorch's elementwise `weight` (a plain rescaling; 'mean' still divides by the element count). */
function weighted(golden: Golden, perElement: Tensor, dtype: DType, reduction: Reduction): Tensor {
  const w = loadTensor(golden, 'weight', dtype);
  const scaled = mul(perElement, w);
  return reduction === 'none' ? scaled : reduction === 'sum' ? sum(scaled) : mean(scaled);
}

export const handlers: CaseHandler[] = [
  pointwiseHandler('loss_mse', 'MSE loss and its gradient', (p, t, _g, reduction) => mseLoss(p, t, { reduction })),
  pointwiseHandler('loss_l1', 'L1 (mean absolute error) loss and its gradient', (p, t, _g, reduction) => l1Loss(p, t, { reduction })),
  pointwiseHandler('loss_huber', 'Huber loss (config.delta, default 1.0) and its gradient', (p, t, g, reduction) =>
    huberLoss(p, t, { reduction, delta: configNumberOr(g, 'delta', 1.0) }),
  ),
  {
    description: 'cross-entropy on logits with class-index targets (ignore_index, label_smoothing, weight) and its gradient',
    matches: (name) => /^loss_cross_entropy($|_)/.test(name),
    run(golden: Golden, context?: Partial<RunContext>) {
      const logits = presentName(golden, ['logits', 'input']);
      return runLoss(golden, context, [logits], (g, inputs, _dtype, reduction) => {
        const x = inputs[logits];
        const target = goldenTensor(g, 'target'); // class indices stored as floats
        const positions = x.shape.slice(0, -1);
        const fits = target.shape.length === positions.length && target.shape.every((d, i) => d === positions[i]);
        if (!fits) {
          throw new GoldenFormatError(`case '${g.case}': target has shape [${target.shape}] but ${logits} has [${x.shape}]; expected [${positions}] (classes last)`);
        }
        return crossEntropy(x, target.data, {
          reduction,
          ignoreIndex: configNumberOr(g, 'ignore_index', -100),
          labelSmoothing: configNumberOr(g, 'label_smoothing', 0),
          classWeights: g.tensors.weight ? g.tensors.weight.data : undefined,
        });
      });
    },
  },
  {
    description: 'binary cross-entropy on logits (pos_weight, weight) and its gradient',
    matches: (name) => /^loss_bce_with_logits($|_)/.test(name),
    run(golden: Golden, context?: Partial<RunContext>) {
      const logits = presentName(golden, ['logits', 'input']);
      return runLoss(golden, context, [logits, 'target'], (g, inputs, dtype, reduction) => {
        let posWeight: number | number[] | undefined;
        if (g.tensors.pos_weight) posWeight = g.tensors.pos_weight.data;
        else if (Array.isArray(g.config.pos_weight)) posWeight = g.config.pos_weight as number[];
        else if (g.config.pos_weight !== undefined && g.config.pos_weight !== null) posWeight = configNumberOr(g, 'pos_weight', 1);
        if (!g.tensors.weight) return binaryCrossEntropyWithLogits(inputs[logits], inputs.target, { reduction, posWeight });
        const perElement = binaryCrossEntropyWithLogits(inputs[logits], inputs.target, { reduction: 'none', posWeight });
        return weighted(g, perElement, dtype, reduction);
      });
    },
  },
];
