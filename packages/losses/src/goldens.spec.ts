// The PyTorch goldens (copied from goldens/pytorch into testdata/): loss and gradient of every
// loss, run in float64 (to ~1e-9) and float32 (to ~1e-5 relative).
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, grad, tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss } from './index';
import type { Reduction } from './index';

interface Golden {
  case: string;
  config: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

function load(name: string): Golden {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', `${name}.json`), 'utf8')) as Golden;
}

function input(golden: Golden, name: string, dtype: DType, requiresGrad = false): Tensor {
  const t = golden.tensors[name];
  return tensor(t.data, t.shape, { dtype, requiresGrad });
}

/** Runs the loss of a golden case; returns the loss and the gradient of the input named by the file's grad_* tensor. */
function run(golden: Golden, dtype: DType): { loss: Tensor; gradName: string; gradient: Tensor } {
  const gradName = Object.keys(golden.tensors).find((k) => k.startsWith('grad_'));
  if (!gradName) throw new Error(`${golden.case}: no grad_* tensor`);
  const x = input(golden, gradName.slice('grad_'.length), dtype, true);
  const reduction = (golden.config.reduction ?? 'mean') as Reduction;
  let loss: Tensor;
  switch (golden.case) {
    case 'loss_mse':
      loss = mseLoss(x, input(golden, 'target', dtype), { reduction });
      break;
    case 'loss_l1':
      loss = l1Loss(x, input(golden, 'target', dtype), { reduction });
      break;
    case 'loss_huber':
      loss = huberLoss(x, input(golden, 'target', dtype), { reduction, delta: (golden.config.delta as number | null) ?? 1 });
      break;
    case 'loss_cross_entropy':
      loss = crossEntropy(x, golden.tensors.target.data, { reduction });
      break;
    case 'loss_bce_with_logits':
      loss = binaryCrossEntropyWithLogits(x, input(golden, 'target', dtype), { reduction });
      break;
    default:
      throw new Error(`unknown case ${golden.case}`);
  }
  const [gradient] = grad(loss, [x]);
  return { loss, gradName, gradient };
}

function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    worst = Math.max(worst, excess);
  }
  expect(worst).toBeLessThanOrEqual(0);
}

const cases = ['loss_mse', 'loss_l1', 'loss_huber', 'loss_cross_entropy', 'loss_bce_with_logits'];

describe.each(cases)('PyTorch golden %s', (name) => {
  const golden = load(name);
  it('float64: loss and gradient to 1e-9', () => {
    const { loss, gradName, gradient } = run(golden, 'float64');
    expectAllClose(loss.data, golden.tensors.loss.data, 1e-9, 1e-12);
    expectAllClose(gradient.data, golden.tensors[gradName].data, 1e-9, 1e-12);
    expect(gradient.shape).toEqual(golden.tensors[gradName].shape);
  });
  it('float32: loss and gradient to 1e-5 relative', () => {
    const { loss, gradName, gradient } = run(golden, 'float32');
    expect(loss.dtype).toBe('float32');
    expectAllClose(loss.data, golden.tensors.loss.data, 1e-5, 1e-7);
    expectAllClose(gradient.data, golden.tensors[gradName].data, 1e-5, 1e-7);
  });
});
