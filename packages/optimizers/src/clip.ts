import { LoopflowError, Tensor } from '@loopflow/tensor';
import type { FloatArray } from '@loopflow/tensor';

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw (code NONFINITE_GRADIENT) when the total norm is NaN or infinite (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

function gradsOf(params: Tensor | readonly Tensor[]): FloatArray[] {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new LoopflowError('INVALID_ARGUMENT', 'clip: expected a Tensor or an array of Tensors');
  const out: FloatArray[] = [];
  for (const p of list) if (p.grad !== null) out.push(p.grad.data);
  return out;
}

function vectorNorm(g: FloatArray, normType: number): number {
  const n = g.length;
  if (normType === Infinity) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(g[i]);
      if (a > m || Number.isNaN(a)) m = a;
    }
    return m;
  }
  if (normType === 2) {
    let s = 0;
    for (let i = 0; i < n; i++) s += g[i] * g[i];
    return Math.sqrt(s);
  }
  if (normType === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(g[i]);
    return s;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.pow(Math.abs(g[i]), normType);
  return Math.pow(s, 1 / normType);
}

/**
 * Clips the gradients of `params` together, in place, exactly as
 * `torch.nn.utils.clip_grad_norm_`: the total norm is the `normType`-norm of the per-tensor
 * norms (the norm of all gradients as one vector); when `maxNorm / (total + 1e-6)` is below 1,
 * every gradient is multiplied by it. Parameters whose grad is null are skipped. Returns the
 * total norm before clipping (0 when no parameter has a gradient).
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(params, 1.0);          // global L2 norm
 * clipGradNorm(params, 5, Infinity);               // largest |g|
 * opt.step();
 */
export function clipGradNorm(params: Tensor | readonly Tensor[], maxNorm: number, normType = 2, options: ClipGradNormOptions = {}): number {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new LoopflowError('INVALID_ARGUMENT', `clipGradNorm: maxNorm = ${maxNorm} is invalid; expected a number >= 0`);
  }
  if (typeof normType !== 'number' || !(normType > 0)) {
    throw new LoopflowError('INVALID_ARGUMENT', `clipGradNorm: normType = ${normType} is not supported; expected a number > 0 or Infinity (2 for the L2 norm)`);
  }
  const grads = gradsOf(params);
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) {
      const m = vectorNorm(g, Infinity);
      if (m > total || Number.isNaN(m)) total = m;
    }
  } else {
    const norms = new Float64Array(grads.map((g) => vectorNorm(g, normType)));
    total = vectorNorm(norms, normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new LoopflowError(
      'NONFINITE_GRADIENT',
      `clipGradNorm: the total ${normType}-norm of the gradients is ${total}, so they cannot be clipped; look for an overflowing loss or a NaN input (or pass errorIfNonfinite: false)`,
    );
  }
  const coef = maxNorm / (total + 1e-6);
  // PyTorch multiplies by min(coef, 1): nothing changes when coef >= 1; a NaN norm spreads NaN.
  if (!(coef >= 1)) {
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= coef;
  }
  return total;
}

/**
 * Clamps every gradient element of `params` into `[-clipValue, clipValue]`, in place, as
 * `torch.nn.utils.clip_grad_value_`. Parameters whose grad is null are skipped.
 *
 * @example
 * clipGradValue(params, 0.5);
 */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  if (typeof clipValue !== 'number' || Number.isNaN(clipValue) || clipValue < 0) {
    throw new LoopflowError('INVALID_ARGUMENT', `clipGradValue: clipValue = ${clipValue} is invalid; expected a number >= 0`);
  }
  const low = -clipValue;
  for (const g of gradsOf(params)) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (v > clipValue) g[i] = clipValue;
      else if (v < low) g[i] = low;
    }
  }
}
