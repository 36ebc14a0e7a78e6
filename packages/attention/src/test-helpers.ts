/**
 * Helpers for this package's specs only (not exported from index.ts): random tensors, and
 * running a model with its parameters swapped for the float64 copies gradCheck passes in.
 */
import { DType, Random, Tensor, allocate, concat, gradCheck, GradCheckResult, transpose } from '@loopflow/tensor';
import { namedParameters } from '@loopflow/layers';

/** A tensor of N(0, std^2) values. */
export function randn(rng: Random, shape: number[], options: { dtype?: DType; std?: number; requiresGrad?: boolean } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(options.dtype ?? 'float64', n);
  for (let i = 0; i < n; i++) data[i] = rng.normal(0, options.std ?? 1);
  return new Tensor(data, shape, options.requiresGrad ?? false);
}

/** Token ids `[B, T]` in [0, vocab). */
export function randomTokens(rng: Random, B: number, T: number, vocab: number): Tensor {
  return new Tensor(Float64Array.from({ length: B * T }, () => rng.int(vocab)), [B, T]);
}

/**
 * A copy of `model` (plain objects and arrays cloned, everything else shared) whose
 * parameters, in `namedParameters` order, are replaced by `replacements`.
 */
export function withParameters<M>(model: M, replacements: readonly Tensor[]): M {
  const params = namedParameters(model).map(([, t]) => t);
  if (params.length !== replacements.length) throw new Error(`withParameters: ${replacements.length} tensors for ${params.length} parameters`);
  const swap = new Map<Tensor, Tensor>(params.map((p, i) => [p, replacements[i]]));
  const clone = (value: unknown): unknown => {
    if (value instanceof Tensor) return swap.get(value) ?? value;
    if (Array.isArray(value)) return value.map(clone);
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = k === 'config' || k === 'rng' ? v : clone(v);
      return out;
    }
    return value;
  };
  return clone(model) as M;
}

/**
 * gradCheck of `run(model, ...inputs)` with respect to the inputs listed in `inputs` and
 * every parameter of `model` (all in float64).
 */
export function gradCheckModel<M>(
  model: M,
  inputs: Tensor[],
  run: (model: M, ...inputs: Tensor[]) => Tensor,
  options: { skip?: number[]; atol?: number; rtol?: number } = {},
): GradCheckResult {
  const params = namedParameters(model).map(([, t]) => t);
  const n = inputs.length;
  return gradCheck((...xs) => run(withParameters(model, xs.slice(n)), ...xs.slice(0, n)), [...inputs, ...params], options);
}

/** The largest |a - b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * The `causal_mha` golden's weights (`Wq..Wo [in, out]`, `bq..bo`) put into PyTorch's layout
 * through differentiable ops (transpose, concat), so a gradient taken with respect to the
 * golden's own tensors can be compared with its `grad_W*` as they are.
 */
export function goldenLayout(w: Record<'Wq' | 'Wk' | 'Wv' | 'Wo' | 'bq' | 'bk' | 'bv' | 'bo', Tensor>): {
  in_proj_weight: Tensor; in_proj_bias: Tensor; 'out_proj.weight': Tensor; 'out_proj.bias': Tensor;
} {
  return {
    in_proj_weight: concat([transpose(w.Wq), transpose(w.Wk), transpose(w.Wv)], 0), // [3d, d]
    in_proj_bias: concat([w.bq, w.bk, w.bv], 0), // [3d]
    'out_proj.weight': transpose(w.Wo), // [d, d], [out, in]
    'out_proj.bias': w.bo,
  };
}
