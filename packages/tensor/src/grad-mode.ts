let gradEnabled = true;

/** True when ops record gradient nodes (outside any `noGrad` scope). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` with gradient recording switched off: ops inside produce tensors with no
 * gradient history (cheaper, for evaluation and parameter updates).
 *
 * @example
 * const y = noGrad(() => forward(params, x)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/** Runs `fn` with gradient recording switched on (inside a `noGrad` scope, say). */
export function enableGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}
