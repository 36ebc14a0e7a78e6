import { MessageChannel } from 'worker_threads';
import { workerEntry } from '@loopflow/training';
import type { Trial } from '../definition/search-space';
import { runTrial, TrialProgress, TrialResult, TrialTask } from './trial';

/** What a runner tells the search about one trial while it runs it. */
export interface TrialHooks {
  /** The trial began (on a thread of this machine, or taken by a worker from a queue). */
  started(): void;
  /** An epoch ended. */
  progress(progress: TrialProgress): void;
}

/**
 * Where a search's trials run: the seam between {@link runSearch} and the machinery that runs
 * them. The local pool (worker threads, or inline) is the default; `@loopflow/distributed`
 * gives a second one that puts the trials on a BullMQ queue for workers on other machines.
 * `run` never rejects for a trial's own error (that is a result with status 'failed'); a
 * rejection is a fault of the runner and the search reports the trial as failed with it, unless
 * the error says `stopsSearch: true` (the runner cannot go on: its queue is gone): then the
 * search ends with that error and writes no results (the trials may still finish elsewhere).
 */
export interface TrialRunner {
  /** Trials it takes at once: the search keeps this many in flight. */
  readonly parallel: number;
  /** Where the trials run, for the search's first line (`worker threads`, `queue redis://host:6379`). */
  readonly where: string;
  /** Runs one trial to its result. */
  run(task: TrialTask, hooks: TrialHooks): Promise<TrialResult>;
  /**
   * Releases the runner. `finished`: the search wrote its files (a queue may forget the
   * search's jobs); false when it was stopped before its end.
   */
  close(finished: boolean): Promise<void>;
}

/** What a runner is made for: the search's folder, its trials, and the trials at once it asks for. */
export interface TrialRunnerPlan {
  searchDir: string;
  /** The definition's name. */
  name: string;
  trials: readonly Trial[];
  /** Trials at once (the search block's `parallel`, else the CPUs, at most the trials). */
  parallel: number;
}

/** Makes the runner of one search (may connect somewhere first). */
export type TrialRunnerFactory = (plan: TrialRunnerPlan) => TrialRunner | Promise<TrialRunner>;

/**
 * The local pool: each trial on a worker thread (piscina), `parallel` at a time, or with
 * `mode: 'inline'` one after another in this thread (the same results). The default runner of
 * {@link runSearch}; `@loopflow/distributed`'s workers run the trials they take with it too.
 *
 * @example const runner = localTrialRunner(2); await runner.run(task, { started() {}, progress: console.log }); await runner.close(true);
 */
export function localTrialRunner(parallel: number, mode: 'threads' | 'inline' = 'threads'): TrialRunner {
  if (mode === 'inline') {
    return {
      parallel: 1,
      where: 'this thread',
      run(task, hooks) {
        hooks.started();
        return runTrial(task, (p) => hooks.progress(p));
      },
      close: async () => undefined,
    };
  }
  const { Piscina } = require('piscina') as typeof import('piscina');
  // trial-worker.ts through ts-node from the sources, dist/trial-worker.cjs from a build.
  const { file, execArgv, env } = workerEntry(__filename, 'trial-worker');
  const pool = new Piscina({
    filename: file,
    maxThreads: parallel,
    minThreads: 0,
    idleTimeout: 1000,
    execArgv: [...execArgv],
    ...(Object.keys(env).length ? { env: { ...process.env, ...env } } : {}),
  });
  return {
    parallel,
    where: 'worker threads',
    run(task, hooks) {
      hooks.started();
      const { port1, port2 } = new MessageChannel();
      port1.on('message', (p: TrialProgress) => hooks.progress(p));
      return (pool.run({ task, port: port2 }, { transferList: [port2] as never }) as Promise<TrialResult>).finally(() => port1.close());
    },
    close: () => pool.destroy(),
  };
}
