import { BackendError } from '../backend/backend-error';
import { THREADS_ENV, configuredThreads, setThreads } from './threads';
import { canBlock, webThreadsUnavailable } from './web';
import { helperThreadsAvailable } from './team';

describe('configuredThreads / setThreads', () => {
  const saved = process.env[THREADS_ENV];
  afterEach(() => {
    setThreads(null);
    if (saved === undefined) delete process.env[THREADS_ENV];
    else process.env[THREADS_ENV] = saved;
  });

  it('reads LOOPFLOW_THREADS, and setThreads takes precedence until reset with null', () => {
    process.env[THREADS_ENV] = '3';
    expect(configuredThreads()).toBe(3);
    setThreads(1);
    expect(configuredThreads()).toBe(1);
    setThreads(null);
    expect(configuredThreads()).toBe(3);
  });

  it('refuses a count that is not a whole number >= 1, with BACKEND_CONFIG', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      let error: unknown;
      try {
        setThreads(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).code).toBe('BACKEND_CONFIG');
    }
    process.env[THREADS_ENV] = '1';
    expect(configuredThreads()).toBe(1); // the bad calls changed nothing
  });
});

describe('web thread detection, seen from Node', () => {
  it('Node may block in Atomics.wait; the browser checks report no isolated page here', () => {
    expect(canBlock()).toBe(true);
    expect(helperThreadsAvailable()).toBe(true); // Node: worker_threads
    // Node has no crossOriginIsolated global: the Web path (used only outside Node) says why it would not start.
    expect(webThreadsUnavailable()).toMatch(/cross-origin isolated/);
  });
});
