import { fail } from '../errors';

/** A power law `y = coefficient * x^exponent` fitted by least squares on log-log axes. */
export interface PowerLawFit {
  exponent: number;
  coefficient: number;
  /** Coefficient of determination of the log-log line (1 = exact power law). */
  r2: number;
  /** Points used (positive x and y only). */
  points: number;
}

/**
 * Fits `y = c x^k` through the points with positive x and y (ordinary least squares of
 * log y on log x). Throws FIT_INVALID with fewer than two usable points or one distinct x.
 *
 * @example fitPowerLaw([64, 128, 256], [1, 4, 16]).exponent // 2
 */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerLawFit {
  if (xs.length !== ys.length) fail('FIT_INVALID', `fitPowerLaw: ${xs.length} x values and ${ys.length} y values; expected one y per x`);
  const lx: number[] = [];
  const ly: number[] = [];
  xs.forEach((x, i) => {
    if (x > 0 && ys[i] > 0 && Number.isFinite(x) && Number.isFinite(ys[i])) {
      lx.push(Math.log(x));
      ly.push(Math.log(ys[i]));
    }
  });
  const { n, mx, my, sxx, sxy, syy } = leastSquares(lx, ly);
  if (n < 2 || sxx === 0) fail('FIT_INVALID', `fitPowerLaw: ${n} usable point(s) with ${sxx === 0 && n > 0 ? 'one distinct x' : 'positive values'}; expected at least two points with different positive x and positive y`);
  const exponent = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, coefficient: Math.exp(my - exponent * mx), r2, points: n };
}

/** Means and centred sums of squares and products of paired values (n = 0 gives NaN means). */
export interface LeastSquaresSums {
  n: number;
  mx: number;
  my: number;
  sxx: number;
  sxy: number;
  syy: number;
}

/**
 * The sums an ordinary least-squares line of y on x is built from: its slope is `sxy / sxx`.
 *
 * @example const s = leastSquares([0, 1, 2], [1, 3, 5]); s.sxy / s.sxx // 2
 */
export function leastSquares(xs: readonly number[], ys: readonly number[]): LeastSquaresSums {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  return { n, mx, my, sxx, sxy, syy };
}

/**
 * The exponent between the last two points with positive values: `log(y2/y1) / log(x2/x1)`,
 * the local growth at the longest lengths (attention's approaches 2 as T grows, while its
 * fit over all lengths is pulled down by the parts that grow linearly).
 *
 * @example lastSegmentExponent([256, 512, 1024], [1, 2, 8]) // 2
 */
export function lastSegmentExponent(xs: readonly number[], ys: readonly number[]): number {
  const pts = xs.map((x, i) => [x, ys[i]] as const).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length < 2) return NaN;
  const [x1, y1] = pts[pts.length - 2];
  const [x2, y2] = pts[pts.length - 1];
  return Math.log(y2 / y1) / Math.log(x2 / x1);
}
