/**
 * What every kernel build says about itself, exported by the entry of each package's builds
 * (tensor, cells, attention) so the runtime reads it the same way everywhere.
 */

/** First byte of linear memory that is free for the JavaScript side to use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

/** 1 when this build uses relaxed-SIMD FMA, else 0. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** 1 when this build shares its memory between threads (claims are atomic), else 0. */
export function threaded(): i32 {
  return ASC_FEATURE_THREADS ? 1 : 0;
}
