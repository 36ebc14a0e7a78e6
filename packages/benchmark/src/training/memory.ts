/**
 * Memory figures the benchmark reports, and how each is measured:
 * - `heapBytes()`: V8 heap in use + ArrayBuffer memory (tensor storage is Float32Arrays) at
 *   one moment, from `process.memoryUsage()`. Sampled right after a forward pass, when the
 *   graph kept for backward is alive; garbage not yet collected is included unless the
 *   collector was forced first (`collectGarbage`, needs `node --expose-gc`).
 * - `peakRssBytes()`: the process's maximum resident set so far (`process.resourceUsage().maxRSS`),
 *   which includes Node itself, the loaded code and WebAssembly memory; meaningful per
 *   configuration only when each configuration runs in its own process.
 */
export function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The process's peak resident set size so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs the garbage collector when node was started with --expose-gc; returns whether it ran. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

/** Tracks the largest `heapBytes()` above a baseline taken at creation. */
export class HeapPeak {
  readonly baseline: number;
  private peak = 0;
  constructor() {
    collectGarbage();
    this.baseline = heapBytes();
  }

  /** Takes a sample. */
  sample(): void {
    const above = heapBytes() - this.baseline;
    if (above > this.peak) this.peak = above;
  }

  /** The largest sample above the baseline, in bytes (0 before any sample). */
  get bytes(): number {
    return this.peak;
  }
}
