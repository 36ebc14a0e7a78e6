// The PyTorch goldens (copied from goldens/pytorch into testdata/): every step of each
// optimizer's trajectory, and clip_grad_norm_, in float64 (to ~1e-9) and float32 (to ~1e-5 relative).
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { Optimizer, adagrad, adam, adamw, clipGradNorm, rmsprop, sgd } from './index';
import { expectAllClose } from './spec-helpers';

interface Golden {
  case: string;
  config: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

function load(name: string): Golden {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'testdata', `${name}.json`), 'utf8')) as Golden;
}

/** The optimizer of a case, its hyper-parameters from the config (snake_case, PyTorch's names). */
function optimizerFor(golden: Golden, params: Tensor[]): Optimizer {
  const c = golden.config as Record<string, number | boolean | [number, number] | undefined>;
  const common = { lr: c.lr as number | undefined, weightDecay: c.weight_decay as number | undefined, maximize: c.maximize as boolean | undefined };
  const kind = golden.case.replace(/^optim_/, '');
  if (kind.startsWith('sgd')) return sgd(params, { ...common, momentum: c.momentum as number, dampening: c.dampening as number, nesterov: c.nesterov as boolean });
  if (kind.startsWith('adamw')) return adamw(params, { ...common, betas: c.betas as [number, number], eps: c.eps as number, amsgrad: c.amsgrad as boolean });
  if (kind.startsWith('adam')) return adam(params, { ...common, betas: c.betas as [number, number], eps: c.eps as number, amsgrad: c.amsgrad as boolean });
  if (kind.startsWith('rmsprop')) return rmsprop(params, { ...common, alpha: c.alpha as number, eps: c.eps as number, momentum: c.momentum as number, centered: c.centered as boolean });
  if (kind.startsWith('adagrad')) return adagrad(params, { ...common, eps: c.eps as number, lrDecay: c.lr_decay as number, initialAccumulatorValue: c.initial_accumulator_value as number });
  throw new Error(`unknown optimizer case ${golden.case}`);
}

/** Feeds grads[step] in order from p0; returns the parameter after every step, flat. */
function trajectory(golden: Golden, dtype: DType): number[] {
  const p0 = golden.tensors.p0;
  const grads = golden.tensors.grads;
  const p = tensor(p0.data, p0.shape, { dtype, requiresGrad: true });
  const opt = optimizerFor(golden, [p]);
  const size = p.size;
  const out: number[] = [];
  for (let k = 0; k < grads.shape[0]; k++) {
    p.grad = tensor(grads.data.slice(k * size, (k + 1) * size), p0.shape, { dtype });
    opt.step();
    opt.zeroGrad();
    out.push(...p.data);
  }
  return out;
}

const cases = ['optim_sgd', 'optim_sgd_momentum_nesterov', 'optim_adam', 'optim_adamw', 'optim_rmsprop', 'optim_adagrad'];

describe.each(cases)('PyTorch golden %s', (name) => {
  const golden = load(name);
  it('float64: every step of the trajectory to 1e-9', () => {
    expect(golden.tensors.grads.shape[0]).toBe(golden.config.steps);
    expectAllClose(trajectory(golden, 'float64'), golden.tensors.trajectory.data, 1e-9, 1e-12);
  });
  it('float32: every step of the trajectory to 1e-5 relative', () => {
    expectAllClose(trajectory(golden, 'float32'), golden.tensors.trajectory.data, 1e-5, 1e-7);
  });
});

describe('PyTorch golden clip_grad_norm', () => {
  const golden = load('clip_grad_norm');
  for (const dtype of ['float64', 'float32'] as DType[]) {
    it(`${dtype}: total norm and both clipped gradients`, () => {
      const [rtol, atol] = dtype === 'float64' ? [1e-9, 1e-12] : [1e-5, 1e-7];
      const params = ['g1', 'g2'].map((name) => {
        const g = golden.tensors[name];
        const p = tensor(new Array(g.data.length).fill(0), g.shape, { dtype, requiresGrad: true });
        p.grad = tensor(g.data, g.shape, { dtype });
        return p;
      });
      const total = clipGradNorm(params, golden.config.max_norm as number, golden.config.norm_type as number);
      expectAllClose([total], golden.tensors.total_norm.data, rtol, atol);
      expectAllClose(params[0].grad!.data, golden.tensors.g1_clipped.data, rtol, atol);
      expectAllClose(params[1].grad!.data, golden.tensors.g2_clipped.data, rtol, atol);
    });
  }
});
