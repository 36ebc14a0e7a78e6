/**
 * Element-wise comparison of loopflow's values with the golden ones, numpy-allclose style:
 * an element passes when `|a - e| <= atol + rtol * |e|`.
 */
import type { DType } from '@loopflow/tensor';
import type { Tolerance } from './types';

/** Denominator floor of the relative error: `|a - e| / max(|e|, TINY)`. */
export const TINY = 1e-12;

/**
 * Default tolerances. The goldens are PyTorch float64 numbers; a float32 run matches them to
 * about 1e-4 relative / 1e-5 absolute (goldens/pytorch/README.md), a float64 run much closer.
 * `training` is the looser bound for multi-epoch training cases (errors compound over steps).
 */
export const TOLERANCES: Readonly<Record<DType, { default: Tolerance; training: Tolerance }>> = Object.freeze({
  float32: { default: { atol: 1e-5, rtol: 1e-4 }, training: { atol: 1e-4, rtol: 1e-3 } },
  float64: { default: { atol: 1e-9, rtol: 1e-7 }, training: { atol: 1e-7, rtol: 1e-5 } },
});

/**
 * The tolerance for a dtype; handlers of training cases pass `'training'`.
 * @example
 * return { status: 'ran', comparisons, tolerance: defaultTolerance(dtype, 'training') };
 */
export function defaultTolerance(dtype: DType, kind: 'default' | 'training' = 'default'): Tolerance {
  return { ...TOLERANCES[dtype][kind] };
}

/** The outcome of comparing one tensor. */
export interface TensorComparison {
  name: string;
  /** Number of elements compared. */
  size: number;
  /** Largest `|a - e|` (Infinity when a NaN meets a number). */
  maxAbs: number;
  /** Largest `|a - e| / max(|e|, TINY)`. */
  maxRel: number;
  /** Elements outside `atol + rtol * |e|`. */
  mismatches: number;
  /** The element that exceeds its bound by the most (or the largest error when all pass); -1 when empty. */
  worstIndex: number;
  /** `worstIndex` as a multi-index when the shape is known, e.g. '[1,2]'; else '[5]'. */
  worstAt: string;
  worstActual: number;
  worstExpected: number;
  tolerance: Tolerance;
  /** Set when the lengths differ; then nothing else was compared. */
  lengthError?: string;
  pass: boolean;
}

function multiIndex(flat: number, shape: readonly number[] | undefined, size: number): string {
  if (!shape || shape.reduce((a, b) => a * b, 1) !== size || shape.length === 0) return `[${flat}]`;
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `[${idx.join(',')}]`;
}

/** The absolute error of one element: equal values (also equal infinities, both NaN) give 0, one NaN gives Infinity. */
function absError(a: number, e: number): number {
  if (a === e || (Number.isNaN(a) && Number.isNaN(e))) return 0;
  const d = Math.abs(a - e);
  return Number.isNaN(d) ? Infinity : d;
}

/**
 * Compares `actual` with `expected` element by element.
 *
 * @example
 * compareTensor('y', [1, 2.00001], [1, 2], { atol: 1e-5, rtol: 1e-4 }).pass; // true
 */
export function compareTensor(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
  shape?: readonly number[],
): TensorComparison {
  const base = { name, size: expected.length, tolerance, worstActual: NaN, worstExpected: NaN };
  if (actual.length !== expected.length) {
    const lengthError = `${name}: loopflow gave ${actual.length} values, the golden has ${expected.length}` + (shape ? ` (shape [${shape.join(',')}])` : '');
    return { ...base, maxAbs: Infinity, maxRel: Infinity, mismatches: expected.length, worstIndex: -1, worstAt: '-', lengthError, pass: false };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let worstIndex = -1;
  let worstExcess = -Infinity; // how far the error exceeds its bound (negative while passing)
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    const abs = absError(a, e);
    const rel = abs / Math.max(Math.abs(e), TINY);
    const bound = tolerance.atol + tolerance.rtol * Math.abs(e);
    if (abs > maxAbs) maxAbs = abs;
    // The relative error of a value inside the absolute tolerance (an attention weight of
    // 1e-12, say) says nothing; it is reported over the other elements.
    if (rel > maxRel && Math.abs(e) >= tolerance.atol) maxRel = rel;
    // abs 0 covers equal values, equal infinities and NaN == NaN (where the bound is NaN);
    // an infinite error always fails (the bound would be infinite too for an infinite expected)
    const pass = abs === 0 || (abs !== Infinity && abs <= bound);
    if (!pass) mismatches++;
    const excess = abs === Infinity ? Infinity : pass ? -1 / (1 + abs) : abs - bound;
    if (worstIndex < 0 || excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  return {
    ...base,
    maxAbs,
    maxRel,
    mismatches,
    worstIndex,
    worstAt: worstIndex < 0 ? '-' : multiIndex(worstIndex, shape, expected.length),
    worstActual: worstIndex < 0 ? NaN : Number(actual[worstIndex]),
    worstExpected: worstIndex < 0 ? NaN : Number(expected[worstIndex]),
    pass: mismatches === 0,
  };
}

/** A number for messages: `digits` significant digits, exponent form when small or large. */
export function fmtNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e5 ? x.toExponential(digits - 1) : Number(x.toPrecision(digits)).toString();
}

/**
 * One sentence on why a tensor failed, e.g.
 * `y: 3 of 18 elements off (worst [1,2]: got 1.5, expected 1, error 0.5; allowed atol 1e-5 + rtol 1e-4*|expected|)`.
 */
export function describeMismatch(c: TensorComparison): string {
  if (c.lengthError) return c.lengthError;
  const t = c.tolerance;
  const error = absError(c.worstActual, c.worstExpected);
  return (
    `${c.name}: ${c.mismatches} of ${c.size} elements off (worst ${c.worstAt}: got ${fmtNumber(c.worstActual, 8)}, ` +
    `expected ${fmtNumber(c.worstExpected, 8)}, error ${fmtNumber(error)}; ` +
    `allowed atol ${fmtNumber(t.atol)} + rtol ${fmtNumber(t.rtol)}*|expected|)`
  );
}
