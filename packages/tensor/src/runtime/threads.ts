import { BackendError } from '../backend/backend-error';
import { envVar, nodeModule } from './node';

/** The environment variable that sets the thread count of every WebAssembly kernel. */
export const THREADS_ENV = 'LOOPFLOW_THREADS';

/**
 * Threads the WebAssembly kernels may use (the caller plus helpers): `LOOPFLOW_THREADS` (a
 * whole number >= 1) if set, else 2 when the machine has at least two cores, else 1 (and 1
 * where there is no Node: worker threads there are Node's).
 * `LOOPFLOW_THREADS=1` keeps every kernel on the calling thread. The one place that reads it.
 * @throws BackendError `BACKEND_CONFIG` if `LOOPFLOW_THREADS` is not a whole number >= 1.
 */
export function configuredThreads(): number {
  const raw = envVar(THREADS_ENV);
  if (raw === undefined || raw === '') {
    const os = nodeModule('os');
    return os ? Math.min(2, os.availableParallelism()) : 1;
  }
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BackendError('BACKEND_CONFIG', `${THREADS_ENV}=${raw} is not valid: expected a whole number >= 1`);
  }
  return threads;
}
