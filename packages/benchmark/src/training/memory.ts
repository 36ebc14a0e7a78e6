/**
 * Memory figures the benchmark reports, and how each is measured:
 * - `heapBytes()`: V8 heap in use + ArrayBuffer memory (tensor storage is Float32Arrays) at
 *   one moment, from `process.memoryUsage()`. Sampled right after a forward pass, when the
 *   graph kept for backward is alive; garbage not yet collected is included unless the
 *   collector was forced first (`collectGarbage`: `node --expose-gc`, or the flag set at run time).
 * - `peakRssBytes()`: the process's maximum resident set so far (`process.resourceUsage().maxRSS`),
 *   which includes Node itself, the loaded code and WebAssembly memory; meaningful per
 *   configuration only when each configuration runs in its own process.
 */
import * as v8 from 'v8';
import * as vm from 'vm';

export function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The process's peak resident set size so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

let runtimeGc: (() => void) | null | undefined;

/**
 * The collector: `globalThis.gc` when node was started with --expose-gc, else the one a fresh
 * vm context gets once the flag is set at run time (V8 exposes `gc` to contexts created after
 * the flag is set); null where neither works.
 */
function findGc(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  if (runtimeGc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
      runtimeGc = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      runtimeGc = null;
    }
  }
  return runtimeGc;
}

/**
 * Runs a full garbage collection where one can be forced (see findGc); returns whether it ran.
 * Twice: V8 frees the memory of dead ArrayBuffers (tensor storage) on a background sweeper after
 * a collection, so right after one `process.memoryUsage().arrayBuffers` still counts them — a
 * baseline taken then sat ~120 MB too high in a test worker that had run other tests, and every
 * later sample fell below it. A second collection finishes the first one's sweeping.
 */
export function collectGarbage(): boolean {
  const gc = findGc();
  if (gc === null) return false;
  gc();
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
