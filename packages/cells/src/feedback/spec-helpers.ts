// Helpers shared by the feedback specs (not part of the public API). The cells package may
// depend only on tensor and layers (.dependency-cruiser.cjs), so the training specs use this small
// Adam and these losses instead of @loopflow/optimizers and @loopflow/losses.
import { DType, Random, Tensor, abs, add, exp, log, mean, mul, neg, noGrad, relu, square, sub } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';
import { FeedbackNetwork } from './network';

/** Adam (torch.optim.Adam's update, no weight decay) over `params`, updated in place. */
export function createAdam(params: Tensor[], lr: number, betas: [number, number] = [0.9, 0.999], eps = 1e-8): { step(): void; zeroGrad(): void } {
  const m = params.map((p) => new Float64Array(p.size));
  const v = params.map((p) => new Float64Array(p.size));
  let t = 0;
  return {
    step(): void {
      t++;
      const c1 = 1 - Math.pow(betas[0], t);
      const c2 = 1 - Math.pow(betas[1], t);
      params.forEach((p, i) => {
        if (!p.grad) return;
        const g = p.grad.data;
        for (let j = 0; j < p.size; j++) {
          m[i][j] = betas[0] * m[i][j] + (1 - betas[0]) * g[j];
          v[i][j] = betas[1] * v[i][j] + (1 - betas[1]) * g[j] * g[j];
          p.data[j] -= (lr / c1) * m[i][j] / (Math.sqrt(v[i][j] / c2) + eps);
        }
      });
    },
    zeroGrad(): void {
      for (const p of params) p.grad = null;
    },
  };
}

/** Mean squared error. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  return mean(square(sub(pred, target)));
}

/** Binary cross-entropy on logits, mean over elements: `max(z, 0) - z y + log(1 + exp(-|z|))`. */
export function bceWithLogits(logits: Tensor, targets: Tensor): Tensor {
  return mean(add(sub(relu(logits), mul(logits, targets)), log(add(exp(neg(abs(logits))), 1))));
}

/** Fraction of logits on the right side of 0 for 0/1 targets. */
export function accuracy(logits: Tensor, targets: Tensor): number {
  let right = 0;
  for (let i = 0; i < logits.size; i++) if ((logits.data[i] > 0 ? 1 : 0) === targets.data[i]) right++;
  return right / logits.size;
}

/** The largest absolute difference of two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A tensor of normal numbers (float64 by default). */
export function randn(rng: Random, shape: number[], dtype: DType = 'float64', scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.normal() * scale;
  return new Tensor(data, shape);
}

/** A copy of `net` whose parameters are `tensors`, in `namedParameters` order (for gradCheck). */
export function withParameters(net: FeedbackNetwork, tensors: readonly Tensor[]): FeedbackNetwork {
  const names = namedParameters(net).map(([name]) => name);
  const layers: Record<string, Record<string, Tensor>> = {};
  const feedback: Record<string, { weight: Tensor }> = {};
  names.forEach((name, i) => {
    const [group, key, param] = name.split('.');
    if (group === 'layers') (layers[key] ??= {})[param] = tensors[i];
    else feedback[key] = { weight: tensors[i] };
  });
  return { kind: 'feedback', config: net.config, layers: layers as unknown as FeedbackNetwork['layers'], feedback };
}

/**
 * Trains `net` with Adam for `steps` updates on fresh batches of `batchSize` sequences from
 * `batch(rng, size)`, and returns the loss on a fixed evaluation batch of `evalSize` sequences
 * (drawn from another seed) before and after training.
 */
export function train(
  net: FeedbackNetwork,
  options: {
    steps: number;
    lr: number;
    seed: number;
    batchSize: number;
    evalSize: number;
    batch: (rng: Random, size: number) => { x: Tensor; y: Tensor };
    loss: (net: FeedbackNetwork, x: Tensor, y: Tensor) => Tensor;
  },
): { initial: number; final: number; evalBatch: { x: Tensor; y: Tensor } } {
  const params = namedParameters(net).map(([, p]) => p);
  const optimizer = createAdam(params, options.lr);
  const rng = new Random(options.seed);
  const evalBatch = options.batch(new Random(options.seed + 1000), options.evalSize);
  const evaluate = (): number => noGrad(() => options.loss(net, evalBatch.x, evalBatch.y).item());
  const initial = evaluate();
  for (let s = 0; s < options.steps; s++) {
    const { x, y } = options.batch(rng, options.batchSize);
    optimizer.zeroGrad();
    options.loss(net, x, y).backward();
    optimizer.step();
  }
  return { initial, final: evaluate(), evalBatch };
}
