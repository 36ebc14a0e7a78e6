/**
 * Conformance handlers for the optimizer cases (`optim_sgd`, `optim_sgd_momentum_nesterov`,
 * `optim_adam`, `optim_adamw`, `optim_rmsprop`, `optim_adagrad`: feed `grads[step]` in order
 * from `p0` and compare the parameter after every step with `trajectory`) and for
 * `clip_grad_norm` (the total norm and every `<name>_clipped` gradient). Hyper-parameters come
 * from `config` (PyTorch's snake_case names), with PyTorch's default for a key that is absent.
 */
import { Tensor, tensor } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { Optimizer, adagrad, adam, adamw, clipGradNorm, rmsprop, sgd } from '@loopflow/optimizers';
import { GoldenFormatError } from '../errors';
import { compareWith, goldenTensor } from '../golden';
import type { CaseHandler, CaseOutcome, Comparison, Golden, RunContext } from '../types';

/** `config[key]` as a number, or undefined (the optimizer then uses PyTorch's default). */
function num(golden: Golden, key: string): number | undefined {
  const v = golden.config[key];
  if (v === undefined || v === null) return undefined;
  if (v === 'inf' || v === 'Infinity') return Infinity;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new GoldenFormatError(`case '${golden.case}': config.${key} must be a number; found ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(golden: Golden, key: string): boolean | undefined {
  const v = golden.config[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new GoldenFormatError(`case '${golden.case}': config.${key} must be true or false; found ${JSON.stringify(v)}`);
  return v;
}

function betas(golden: Golden): [number, number] | undefined {
  const v = golden.config.betas;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length !== 2 || v.some((b) => typeof b !== 'number')) {
    throw new GoldenFormatError(`case '${golden.case}': config.betas must be two numbers; found ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

type Factory = (golden: Golden, params: Tensor[]) => Optimizer;

const common = (g: Golden) => ({ lr: num(g, 'lr'), weightDecay: num(g, 'weight_decay'), maximize: bool(g, 'maximize') });

const factories: [string, Factory][] = [
  ['sgd', (g, ps) => sgd(ps, { ...common(g), momentum: num(g, 'momentum'), dampening: num(g, 'dampening'), nesterov: bool(g, 'nesterov') })],
  ['adam', (g, ps) => adam(ps, { ...common(g), betas: betas(g), eps: num(g, 'eps'), amsgrad: bool(g, 'amsgrad') })],
  ['adamw', (g, ps) => adamw(ps, { ...common(g), betas: betas(g), eps: num(g, 'eps'), amsgrad: bool(g, 'amsgrad') })],
  [
    'rmsprop',
    (g, ps) => rmsprop(ps, { ...common(g), alpha: num(g, 'alpha'), eps: num(g, 'eps'), momentum: num(g, 'momentum'), centered: bool(g, 'centered') }),
  ],
  [
    'adagrad',
    (g, ps) => adagrad(ps, { ...common(g), eps: num(g, 'eps'), lrDecay: num(g, 'lr_decay'), initialAccumulatorValue: num(g, 'initial_accumulator_value') }),
  ],
];

/** Runs `steps` updates of one parameter from p0 with grads[step]; compares every step with trajectory. */
function runTrajectory(golden: Golden, context: Partial<RunContext> | undefined, make: Factory): CaseOutcome {
  const dtype: DType = context?.dtype ?? 'float32';
  const p0 = goldenTensor(golden, 'p0');
  const grads = goldenTensor(golden, 'grads');
  const size = p0.data.length;
  const steps = grads.shape[0] ?? 0;
  const stepShape = grads.shape.slice(1);
  if (stepShape.length !== p0.shape.length || stepShape.some((d, i) => d !== p0.shape[i])) {
    throw new GoldenFormatError(`case '${golden.case}': grads has shape [${grads.shape}]; expected [steps, ${p0.shape}] (one gradient of p0's shape per step)`);
  }
  const declared = num(golden, 'steps');
  if (declared !== undefined && declared !== steps) {
    throw new GoldenFormatError(`case '${golden.case}': config.steps is ${declared} but grads holds ${steps} steps`);
  }
  const p = tensor(p0.data, p0.shape, { dtype, requiresGrad: true });
  const opt = make(golden, [p]);
  const actual = new Float64Array(steps * size); // [steps, ...p0.shape]
  for (let k = 0; k < steps; k++) {
    p.grad = tensor(grads.data.slice(k * size, (k + 1) * size), p0.shape, { dtype });
    opt.step();
    opt.zeroGrad();
    actual.set(p.data, k * size);
  }
  return { status: 'ran', comparisons: [compareWith(golden, 'trajectory', tensor(actual, [steps, ...p0.shape], { dtype: 'float64' }))] };
}

function runClip(golden: Golden, context: Partial<RunContext> | undefined): CaseOutcome {
  const dtype: DType = context?.dtype ?? 'float32';
  const maxNorm = num(golden, 'max_norm');
  if (maxNorm === undefined) throw new GoldenFormatError(`case '${golden.case}': config.max_norm is required (clip_grad_norm_ has no default)`);
  const names = Object.keys(golden.tensors).filter((n) => golden.tensors[`${n}_clipped`] !== undefined);
  for (const clipped of Object.keys(golden.tensors).filter((n) => n.endsWith('_clipped'))) {
    goldenTensor(golden, clipped.slice(0, -'_clipped'.length)); // every clipped tensor needs its input
  }
  if (names.length === 0) {
    throw new GoldenFormatError(`case '${golden.case}': no gradient tensor <name> with a <name>_clipped beside it (tensors: ${Object.keys(golden.tensors).join(', ')})`);
  }
  const params = names.map((name) => {
    const g = golden.tensors[name];
    const p = tensor(new Array<number>(g.data.length).fill(0), g.shape, { dtype, requiresGrad: true });
    p.grad = tensor(g.data, g.shape, { dtype });
    return p;
  });
  const total = clipGradNorm(params, maxNorm, num(golden, 'norm_type') ?? 2, { errorIfNonfinite: bool(golden, 'error_if_nonfinite') ?? false });
  const comparisons: Comparison[] = [compareWith(golden, 'total_norm', tensor([total], [1], { dtype: 'float64' }))];
  names.forEach((name, i) => comparisons.push(compareWith(golden, `${name}_clipped`, params[i].grad as Tensor)));
  return { status: 'ran', comparisons };
}

export const handlers: CaseHandler[] = [
  ...factories.map(([kind, make]): CaseHandler => {
    const pattern = new RegExp(`^optim_${kind}($|_)`);
    return {
      description: `${kind} optimizer: every step of the trajectory from p0 with grads[step]`,
      matches: (name) => pattern.test(name),
      run: (golden: Golden, context?: Partial<RunContext>) => runTrajectory(golden, context, make),
    };
  }),
  {
    description: 'clip_grad_norm_: the total norm and every clipped gradient',
    matches: (name) => /^clip_grad_norm($|_)/.test(name),
    run: (golden: Golden, context?: Partial<RunContext>) => runClip(golden, context),
  },
];
