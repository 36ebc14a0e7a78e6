import { BackendError } from '../backend/backend-error';
import { envVar, isNode, nodeModule } from './node';
import { webHardwareThreads, webThreadsUnavailable } from './web';

/** The environment variable that sets the thread count of every WebAssembly kernel. */
export const THREADS_ENV = 'LOOPFLOW_THREADS';

/** Set by {@link setThreads}; undefined = decide as {@link configuredThreads} says. */
let chosen: number | undefined;

/**
 * Threads the WebAssembly kernels may use (the caller plus helpers), in this order:
 * - the count given to {@link setThreads}, if any;
 * - `LOOPFLOW_THREADS` (a whole number >= 1) if set;
 * - in Node, 2 when the machine has at least two cores, else 1;
 * - in a browser, 2 when `navigator.hardwareConcurrency` >= 2 and this context can run a thread
 *   team (cross-origin isolated, and allowed to block: a dedicated Worker, not the page's main
 *   thread; see runtime/web.ts), else 1;
 * - 1 anywhere else.
 * `LOOPFLOW_THREADS=1` keeps every kernel on the calling thread. The one place that reads it.
 * A count above 1 where helpers cannot start (say, on a page's main thread) falls back to one
 * thread when the kernels load.
 * @throws BackendError `BACKEND_CONFIG` if `LOOPFLOW_THREADS` is not a whole number >= 1.
 */
export function configuredThreads(): number {
  if (chosen !== undefined) return chosen;
  const raw = envVar(THREADS_ENV);
  if (raw === undefined || raw === '') {
    if (isNode()) {
      const os = nodeModule('os');
      return os ? Math.min(2, os.availableParallelism()) : 1;
    }
    return webThreadsUnavailable() === null ? Math.min(2, webHardwareThreads()) : 1;
  }
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BackendError('BACKEND_CONFIG', `${THREADS_ENV}=${raw} is not valid: expected a whole number >= 1`);
  }
  return threads;
}

/**
 * Sets the thread count of the kernels created from now on (a page has no environment
 * variables: this is its `LOOPFLOW_THREADS`); `null` goes back to the default. Call it before
 * the first kernel runs: the backend and the fused kernels read the count once, when they load.
 *
 * @example
 * setThreads(1); // in a Web Worker that should leave the other cores alone
 * @throws BackendError `BACKEND_CONFIG` if `threads` is not a whole number >= 1.
 */
export function setThreads(threads: number | null): void {
  if (threads !== null && (!Number.isInteger(threads) || threads < 1)) {
    throw new BackendError('BACKEND_CONFIG', `setThreads(${String(threads)}): expected a whole number >= 1, or null for the default`);
  }
  chosen = threads ?? undefined;
}
