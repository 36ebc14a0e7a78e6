import { WasmVariant } from '../runtime/builds';
import { configuredThreads } from '../runtime/threads';
import { helperThreadsAvailable } from '../runtime/team';
import { createWasmKernels, WasmKernels, wasmBackendName } from './wasm';
import { createThreadedWasmKernels } from './wasm-threads';
import { PARALLEL_MIN_WORK } from './wasm-thresholds';

/**
 * Builds the wasm backends the registry offers: the kernels of one build plus, when more than
 * one thread is allowed, helper threads for large products (at least PARALLEL_MIN_WORK
 * multiply-adds; see wasm-thresholds.ts for the measurement that set it).
 *
 * Threads: `LOOPFLOW_THREADS` (a whole number >= 1) if set, else 2 when the machine has at
 * least two cores, else 1 (the runtime's `configuredThreads`). `LOOPFLOW_THREADS=1` turns the
 * helper thread off.
 */

/** A wasm backend and the number of threads its matmul may use. */
export interface WasmBackend {
  readonly kernels: WasmKernels;
  readonly threads: number;
}

/**
 * Creates the backend of a build (named 'wasm-simd' or 'wasm-relaxed' either way). If the
 * helper threads cannot be set up (no SharedArrayBuffer, shared build missing), the backend
 * runs on one thread; so does it where no helper thread can start (a page's main thread).
 * @throws BackendError if the build cannot be loaded at all.
 */
export function createWasmBackend(variant: WasmVariant): WasmBackend {
  const threads = configuredThreads();
  const name = wasmBackendName(variant);
  if (threads > 1 && helperThreadsAvailable()) {
    try {
      const { kernels } = createThreadedWasmKernels(variant, { name, helpers: threads - 1, parallelMinWork: PARALLEL_MIN_WORK });
      return { kernels, threads };
    } catch {
      // Fall back to one thread below (a missing single-threaded build still throws there).
    }
  }
  return { kernels: createWasmKernels(variant), threads: 1 };
}
