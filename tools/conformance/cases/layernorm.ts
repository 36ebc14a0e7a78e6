/**
 * Conformance handler for the `layernorm` case: `torch.nn.LayerNorm(dim, eps)` over the last
 * dimension of `x [..., dim]`, output `y`, and the gradients `grad_x`, `grad_weight`,
 * `grad_bias` of `loss = sum(y * R)`. Runs @loopflow/layers' `createLayerNorm` + `layerNorm`
 * with the golden weight and bias. Every size comes from the file.
 */
import { createLayerNorm, layerNorm } from '@loopflow/layers';
import { Tensor, grad, mul, sum } from '@loopflow/tensor';
import { GoldenFormatError } from '../errors';
import { compareWith, configNumber, expectShape, goldenTensor, loadTensor } from '../golden';
import type { CaseHandler, Golden, RunContext } from '../types';

/** Copies the golden parameter `name` into a module parameter of the same shape. */
function setFromGolden(param: Tensor | null, golden: Golden, name: string): Tensor {
  if (!param) throw new GoldenFormatError(`case '${golden.case}': the LayerNorm has no ${name} (elementwiseAffine off), but the golden file has one`);
  param.data.set(goldenTensor(golden, name).data);
  return param;
}

function runLayerNorm(golden: Golden, { dtype }: RunContext) {
  const eps = configNumber(golden, 'eps');
  expectShape(golden, 'weight', [-1]);
  const dim = goldenTensor(golden, 'weight').shape[0];
  if (golden.config.dim !== undefined && golden.config.dim !== dim) {
    throw new GoldenFormatError(`case '${golden.case}': config.dim is ${JSON.stringify(golden.config.dim)} but weight has shape [${dim}]`);
  }
  expectShape(golden, 'bias', [dim]);
  const x = loadTensor(golden, 'x', dtype, { requiresGrad: true }); // [..., D]
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== dim) {
    throw new GoldenFormatError(`case '${golden.case}': x has shape [${x.shape.join(',')}]; expected [..., ${dim}] (the size of weight)`);
  }
  const R = loadTensor(golden, 'R', dtype, { shape: x.shape }); // [..., D]

  const norm = createLayerNorm(dim, { eps, dtype });
  const weight = setFromGolden(norm.weight, golden, 'weight'); // [D]
  const bias = setFromGolden(norm.bias, golden, 'bias'); // [D]
  const y = layerNorm(norm, x); // [..., D]
  const loss = sum(mul(y, R));
  const [gradX, gradWeight, gradBias] = grad(loss, [x, weight, bias]);
  return {
    status: 'ran' as const,
    comparisons: [
      compareWith(golden, 'y', y),
      compareWith(golden, 'grad_x', gradX),
      compareWith(golden, 'grad_weight', gradWeight),
      compareWith(golden, 'grad_bias', gradBias),
    ],
  };
}

export const handlers: CaseHandler[] = [
  {
    description: 'LayerNorm forward (y) and gradients of sum(y*R) (grad_x, grad_weight, grad_bias)',
    matches: (caseName) => caseName === 'layernorm',
    run: runLayerNorm,
  },
];
