import * as os from 'os';
import { BackendError } from './backend-error';
import { createWasmKernels, WasmKernels, wasmBackendName } from './wasm';
import { WasmVariant } from './wasm-loader';
import { createThreadedWasmKernels } from './wasm-threads';
import { PARALLEL_MIN_WORK } from './wasm-thresholds';

/**
 * Builds the wasm backends the registry offers: the kernels of one build plus, when more than
 * one thread is allowed, helper threads for large products (at least PARALLEL_MIN_WORK
 * multiply-adds; see wasm-thresholds.ts for the measurement that set it).
 *
 * Threads: `LOOPFLOW_THREADS` (a whole number >= 1) if set, else 2 when the machine has at
 * least two cores, else 1. `LOOPFLOW_THREADS=1` turns the helper thread off.
 */

/** The environment variable that sets the thread count. */
export const THREADS_ENV = 'LOOPFLOW_THREADS';

/** A wasm backend and the number of threads its matmul may use. */
export interface WasmBackend {
  readonly kernels: WasmKernels;
  readonly threads: number;
}

/**
 * Threads the wasm backends use for large products.
 * @throws BackendError `BACKEND_CONFIG` if `LOOPFLOW_THREADS` is not a whole number >= 1.
 */
export function configuredThreads(): number {
  const raw = process.env[THREADS_ENV];
  if (raw === undefined || raw === '') return Math.min(2, os.availableParallelism());
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BackendError('BACKEND_CONFIG', `${THREADS_ENV}=${raw} is not valid: expected a whole number >= 1`);
  }
  return threads;
}

/**
 * Creates the backend of a build (named 'wasm-simd' or 'wasm-relaxed' either way). If the
 * helper threads cannot be set up (no SharedArrayBuffer, shared build missing), the backend
 * runs on one thread.
 * @throws BackendError if the build cannot be loaded at all.
 */
export function createWasmBackend(variant: WasmVariant): WasmBackend {
  const threads = configuredThreads();
  const name = wasmBackendName(variant);
  if (threads > 1) {
    try {
      const { kernels } = createThreadedWasmKernels(variant, { name, helpers: threads - 1, parallelMinWork: PARALLEL_MIN_WORK });
      return { kernels, threads };
    } catch {
      // Fall back to one thread below (a missing single-threaded build still throws there).
    }
  }
  return { kernels: createWasmKernels(variant), threads: 1 };
}
