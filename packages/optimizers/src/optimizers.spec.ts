import { Tensor, tensor } from '@loopflow/tensor';
import { Optimizer, adagrad, adam, adamw, rmsprop, sgd } from './index';
import { expectAllClose, expectCode, gradFor, randomNumbers, randomParam } from './spec-helpers';

/**
 * References written straight from the pseudo-code of the torch.optim docs, one scalar at a
 * time with plain numbers (a different shape of code from the optimizers' loops).
 */
type Rule = (theta: number, g: number, s: Record<string, number>, t: number) => number;

const sgdRule = (lr: number, mu: number, tau: number, nesterov: boolean, lambda: number, maximize = false): Rule =>
  (theta, g, s, t) => {
    if (maximize) g = -g;
    if (lambda !== 0) g = g + lambda * theta;
    if (mu !== 0) {
      s.b = t > 1 ? mu * s.b + (1 - tau) * g : g;
      g = nesterov ? g + mu * s.b : s.b;
    }
    return theta - lr * g;
  };

const adamRule = (lr: number, b1: number, b2: number, eps: number, lambda: number, amsgrad: boolean, decoupled: boolean): Rule =>
  (theta, g, s, t) => {
    if (t === 1) s.m = s.v = s.vmax = 0;
    if (decoupled) theta = theta - lr * lambda * theta;
    else if (lambda !== 0) g = g + lambda * theta;
    s.m = b1 * s.m + (1 - b1) * g;
    s.v = b2 * s.v + (1 - b2) * g * g;
    const mHat = s.m / (1 - Math.pow(b1, t));
    let vHat: number;
    if (amsgrad) {
      s.vmax = Math.max(s.vmax, s.v);
      vHat = s.vmax / (1 - Math.pow(b2, t));
    } else {
      vHat = s.v / (1 - Math.pow(b2, t));
    }
    return theta - (lr * mHat) / (Math.sqrt(vHat) + eps);
  };

const rmspropRule = (lr: number, alpha: number, eps: number, lambda: number, mu: number, centered: boolean): Rule =>
  (theta, g, s, t) => {
    if (t === 1) s.v = s.gAve = s.b = 0;
    if (lambda !== 0) g = g + lambda * theta;
    s.v = alpha * s.v + (1 - alpha) * g * g;
    let vTilde = s.v;
    if (centered) {
      s.gAve = s.gAve * alpha + (1 - alpha) * g;
      vTilde = vTilde - s.gAve * s.gAve;
    }
    if (mu > 0) {
      s.b = mu * s.b + g / (Math.sqrt(vTilde) + eps);
      return theta - lr * s.b;
    }
    return theta - (lr * g) / (Math.sqrt(vTilde) + eps);
  };

const adagradRule = (lr: number, lambda: number, tau: number, eta: number, eps: number): Rule =>
  (theta, g, s, t) => {
    if (t === 1) s.sum = tau;
    const gamma = lr / (1 + (t - 1) * eta);
    if (lambda !== 0) g = g + lambda * theta;
    s.sum = s.sum + g * g;
    return theta - (gamma * g) / (Math.sqrt(s.sum) + eps);
  };

/** Runs `rule` elementwise over `steps` gradients; returns the parameter after each step. */
function referenceTrajectory(p0: number[], grads: number[][], rule: Rule): number[][] {
  const states = p0.map(() => ({} as Record<string, number>));
  let theta = p0.slice();
  return grads.map((g, k) => (theta = theta.map((x, i) => rule(x, g[i], states[i], k + 1))));
}

/** Runs an optimizer over one parameter `[2, 3]` with the given gradients; returns the parameter after each step. */
function run(make: (params: Tensor[]) => Optimizer, p0: number[], grads: number[][], dtype: 'float32' | 'float64' = 'float64'): number[][] {
  const p = tensor(p0, [2, 3], { dtype, requiresGrad: true });
  const opt = make([p]);
  return grads.map((g) => {
    p.grad = gradFor(p, g);
    opt.step();
    opt.zeroGrad();
    return Array.from(p.data);
  });
}

const p0 = randomNumbers(6);
const grads = Array.from({ length: 7 }, () => randomNumbers(6, 0.8));

const cases: [string, (params: Tensor[]) => Optimizer, Rule][] = [
  ['sgd', (ps) => sgd(ps, { lr: 0.1 }), sgdRule(0.1, 0, 0, false, 0)],
  ['sgd momentum + dampening + weight decay', (ps) => sgd(ps, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }), sgdRule(0.05, 0.8, 0.3, false, 0.01)],
  ['sgd nesterov + weight decay', (ps) => sgd(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 }), sgdRule(0.05, 0.9, 0, true, 0.1)],
  ['sgd maximize', (ps) => sgd(ps, { lr: 0.05, momentum: 0.5, maximize: true }), sgdRule(0.05, 0.5, 0, false, 0, true)],
  ['adam defaults', (ps) => adam(ps), adamRule(1e-3, 0.9, 0.999, 1e-8, 0, false, false)],
  ['adam + L2 weight decay + amsgrad', (ps) => adam(ps, { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05, amsgrad: true }), adamRule(0.02, 0.8, 0.99, 1e-6, 0.05, true, false)],
  ['adamw defaults (weight decay 0.01)', (ps) => adamw(ps), adamRule(1e-3, 0.9, 0.999, 1e-8, 0.01, false, true)],
  ['adamw + amsgrad', (ps) => adamw(ps, { lr: 0.01, weightDecay: 0.2, amsgrad: true }), adamRule(0.01, 0.9, 0.999, 1e-8, 0.2, true, true)],
  ['rmsprop defaults', (ps) => rmsprop(ps), rmspropRule(1e-2, 0.99, 1e-8, 0, 0, false)],
  ['rmsprop centered + momentum + weight decay', (ps) => rmsprop(ps, { lr: 0.01, alpha: 0.9, momentum: 0.7, centered: true, weightDecay: 0.03 }), rmspropRule(0.01, 0.9, 1e-8, 0.03, 0.7, true)],
  ['adagrad defaults', (ps) => adagrad(ps), adagradRule(1e-2, 0, 0, 0, 1e-10)],
  ['adagrad lrDecay + initial accumulator + weight decay', (ps) => adagrad(ps, { lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.3, weightDecay: 0.02, eps: 1e-6 }), adagradRule(0.1, 0.02, 0.3, 0.05, 1e-6)],
];

describe('update rules against the torch.optim pseudo-code (7 steps, float64)', () => {
  for (const [label, make, rule] of cases) {
    it(label, () => {
      const expected = referenceTrajectory(p0, grads, rule);
      const actual = run(make, p0, grads);
      actual.forEach((row, k) => expectAllClose(row, expected[k], 1e-13, 1e-15));
    });
  }
});

describe('worked by hand', () => {
  it('sgd momentum 0.9, lr 0.1, grads 1, 1, 1: 0.9, 0.71, 0.439; nesterov: 0.81, 0.539', () => {
    const ones = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]];
    const start = [1, 1, 1, 1, 1, 1];
    const plain = run((ps) => sgd(ps, { lr: 0.1, momentum: 0.9 }), start, ones);
    [0.9, 0.71, 0.439].forEach((v, i) => expect(plain[i][0]).toBeCloseTo(v, 14));
    const nesterov = run((ps) => sgd(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), start, ones);
    [0.81, 0.539].forEach((v, i) => expect(nesterov[i][0]).toBeCloseTo(v, 14));
  });

  it('sgd dampening is not applied on the first step (the buffer starts as the gradient), as PyTorch', () => {
    const traj = run((ps) => sgd(ps, { lr: 1, momentum: 0.9, dampening: 0.5 }), [0, 0, 0, 0, 0, 0], [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1]]);
    expect(traj[0][0]).toBeCloseTo(-1, 15); // b = 1
    expect(traj[1][0]).toBeCloseTo(-1 - 1.4, 15); // b = 0.9 * 1 + 0.5 * 1
  });

  it("adam's first step moves each element by lr * g / (|g| + eps)", () => {
    const g = [2, -0.5, 1e-3, 4, -3, 0.25];
    const traj = run((ps) => adam(ps, { lr: 0.1 }), [0, 0, 0, 0, 0, 0], [g]);
    g.forEach((gi, i) => expect(traj[0][i]).toBeCloseTo((-0.1 * gi) / (Math.abs(gi) + 1e-8), 14));
  });
});

describe('parameters and state', () => {
  it('updates p.data in place (same array), skips parameters with grad null', () => {
    const a = randomParam([3]);
    const b = randomParam([2, 2]);
    const dataA = a.data;
    const beforeA = Array.from(a.data);
    const beforeB = Array.from(b.data);
    const opt = adam([a, b], { lr: 0.1 });
    a.grad = gradFor(a, [1, 1, 1]);
    opt.step();
    expect(a.data).toBe(dataA);
    Array.from(a.data).forEach((v, i) => expect(v).toBeCloseTo(beforeA[i] - 0.1, 6)); // Adam's first step: lr * sign(g)
    expect(Array.from(b.data)).toEqual(beforeB);
    expect(opt.paramState(1)).toBeNull();
    expect(opt.paramState(0)?.step).toBe(1);
  });

  it('keeps moments in the parameter dtype: Float32Array for float32, Float64Array for float64', () => {
    const p32 = randomParam([4], 'float32');
    const p64 = randomParam([4], 'float64');
    const opt = rmsprop([p32, p64], { centered: true, momentum: 0.5 });
    p32.grad = gradFor(p32, [1, 2, 3, 4]);
    p64.grad = gradFor(p64, [1, 2, 3, 4]);
    opt.step();
    for (const buffer of Object.values(opt.paramState(0)!.buffers)) expect(buffer).toBeInstanceOf(Float32Array);
    for (const buffer of Object.values(opt.paramState(1)!.buffers)) expect(buffer).toBeInstanceOf(Float64Array);
    expect(p32.data).toBeInstanceOf(Float32Array);
  });

  it('a parameter skipped on some steps counts only its own steps (per-parameter bias correction)', () => {
    const a = randomParam([2]);
    const b = randomParam([2]);
    const opt = adam([a, b]);
    for (let k = 0; k < 3; k++) {
      a.grad = gradFor(a, [1, 1]);
      if (k === 2) b.grad = gradFor(b, [1, 1]);
      opt.step();
      opt.zeroGrad();
    }
    expect(opt.paramState(0)?.step).toBe(3);
    expect(opt.paramState(1)?.step).toBe(1);
  });

  it('zeroGrad sets grads to null, or fills zeros with setToNone: false', () => {
    const p = randomParam([3]);
    const opt = sgd([p]);
    p.grad = gradFor(p, [1, 2, 3]);
    const g = p.grad;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(Array.from(g.data)).toEqual([0, 0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('lr can be read and set; a new lr applies at the next step', () => {
    const p = tensor([1], [1], { dtype: 'float64' });
    const opt = sgd([p], { lr: 0.5 });
    expect(opt.lr).toBe(0.5);
    opt.lr = 0.25;
    p.grad = gradFor(p, [1]);
    opt.step();
    expect(p.data[0]).toBe(0.75);
    expect(opt.hyper.lr).toBe(0.25);
    expectCode(() => (opt.lr = -1), 'INVALID_ARGUMENT');
  });
});

describe('errors', () => {
  it('invalid hyper-parameters name the optimizer and the value', () => {
    const p = [randomParam([2])];
    expectCode(() => sgd(p, { lr: -0.1 }), 'INVALID_ARGUMENT', /sgd: lr = -0.1/);
    expectCode(() => sgd(p, { nesterov: true }), 'INVALID_ARGUMENT', /nesterov needs momentum > 0/);
    expectCode(() => sgd(p, { momentum: 0.9, dampening: 0.1, nesterov: true }), 'INVALID_ARGUMENT', /dampening 0/);
    expectCode(() => adam(p, { betas: [0.9, 1] }), 'INVALID_ARGUMENT', /betas/);
    expectCode(() => adamw(p, { eps: -1 }), 'INVALID_ARGUMENT', /adamw: eps/);
    expectCode(() => rmsprop(p, { alpha: NaN }), 'INVALID_ARGUMENT', /alpha/);
    expectCode(() => adagrad(p, { initialAccumulatorValue: -1 }), 'INVALID_ARGUMENT');
  });

  it('bad parameter lists and a grad of the wrong size', () => {
    const p = randomParam([2]);
    expectCode(() => sgd([]), 'INVALID_ARGUMENT', /non-empty/);
    expectCode(() => sgd([p, p]), 'INVALID_ARGUMENT', /appears twice/);
    const opt = sgd([p]);
    p.grad = tensor([1, 2, 3], [3], { dtype: 'float64' });
    expectCode(() => opt.step(), 'SHAPE_MISMATCH', /params\[0\] has shape \[2\] but its grad has shape \[3\]/);
  });
});
