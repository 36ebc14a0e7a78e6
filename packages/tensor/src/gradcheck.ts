import { Tensor } from './tensor';
import { grad } from './autograd';
import { noGrad } from './grad-mode';
import { Random } from './random';
import { LoopflowError } from './errors';

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Allowed absolute error (default 1e-6). */
  atol?: number;
  /** Allowed error relative to the larger of the two gradients (default 1e-5). */
  rtol?: number;
  /** Indices of inputs not to check (integer inputs, masks). */
  skip?: number[];
  /** Seed of the random projection used for non-scalar outputs. */
  seed?: number;
}

/** The outcome of `gradCheck` for one input. */
export interface GradCheckInput {
  index: number;
  maxAbsError: number;
  maxRelError: number;
  /** The flat position of the worst element, with both values there. */
  worst: { at: number; analytic: number; numeric: number };
}

/** The outcome of `gradCheck`. */
export interface GradCheckResult {
  ok: boolean;
  inputs: GradCheckInput[];
}

/**
 * Compares the analytic gradient of `fn` with central finite differences, in float64.
 * Inputs are copied to float64 leaves; a non-scalar output is reduced as `sum(out * R)`
 * with a fixed random `R`, so every output element is checked.
 *
 * @example
 * const r = gradCheck((a, b) => mul(a, b), [randn([2, 3]), randn([3])]);
 * expect(r.ok).toBe(true);
 */
export function gradCheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradCheckOptions = {}): GradCheckResult {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  const skip = new Set(options.skip ?? []);
  const xs = inputs.map((t, i) => {
    const c = t.to('float64');
    c.requiresGrad = !skip.has(i);
    return c;
  });
  let projection: Tensor | null = null;
  const scalarOf = (out: Tensor): number => {
    if (out.dtype !== 'float64') {
      throw new LoopflowError('GRADCHECK', `gradCheck: fn returned a ${out.dtype} tensor from float64 inputs; every op inside must keep the inputs' dtype`);
    }
    if (out.size === 1) return out.data[0];
    if (!projection) {
      const rng = new Random(options.seed ?? 1234);
      projection = new Tensor(Float64Array.from({ length: out.size }, () => rng.uniform(-1, 1)), out.shape);
    }
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * projection.data[i];
    return s;
  };

  const out = fn(...xs);
  scalarOf(out);
  const checked = xs.filter((_, i) => !skip.has(i));
  const analytic = grad(out, checked, out.size === 1 ? undefined : (projection as unknown as Tensor));

  const results: GradCheckInput[] = [];
  let ok = true;
  checked.forEach((x, ci) => {
    const index = xs.indexOf(x);
    const a = analytic[ci].data;
    let maxAbs = 0;
    let maxRel = 0;
    let worst = { at: -1, analytic: 0, numeric: 0 };
    for (let i = 0; i < x.size; i++) {
      const keep = x.data[i];
      x.data[i] = keep + eps;
      const plus = noGrad(() => scalarOf(fn(...xs)));
      x.data[i] = keep - eps;
      const minus = noGrad(() => scalarOf(fn(...xs)));
      x.data[i] = keep;
      const numeric = (plus - minus) / (2 * eps);
      const abs = Math.abs(numeric - a[i]);
      const rel = abs / Math.max(Math.abs(numeric), Math.abs(a[i]), 1e-12);
      if (abs > atol && rel > rtol) ok = false;
      if (abs > maxAbs) {
        maxAbs = abs;
        worst = { at: i, analytic: a[i], numeric };
      }
      if (abs > atol) maxRel = Math.max(maxRel, rel);
    }
    results.push({ index, maxAbsError: maxAbs, maxRelError: maxRel, worst });
  });
  return { ok, inputs: results };
}
