/** The logistic function of one number, without overflow for large |x| (the plain-array steps' gates). */
export function sigmoidOf(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** relu of one number. */
export function reluOf(x: number): number {
  return x > 0 ? x : 0;
}
