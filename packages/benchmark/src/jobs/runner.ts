import type { BenchJob, JobResult } from './job';
import { PoolEvent, PoolOptions, runJobs, stopWorkers } from './pool';

/**
 * Where the comparison's jobs run: the seam between {@link runCompare} and the machinery that
 * runs them. The local pool (a worker process per job, or inline) is the default;
 * `@loopflow/distributed` gives a second one that puts the jobs on a BullMQ queue for workers
 * on other machines. `runJobs` resolves with every job's result in the order given (a job that
 * fails gives a `{ kind: 'failed' }` result, never a rejection); it rejects only when the
 * runner itself cannot go on (its queue is gone).
 */
export interface JobRunner {
  /** Where the jobs run, for the first line of the run (`local`, `queue redis://host:6379`). */
  readonly where: string;
  /** Training jobs at once when `--parallel` is not given (undefined: the local default, min(2, cores)). */
  readonly parallel?: number;
  runJobs(jobs: readonly BenchJob[], options: PoolOptions, onEvent: (e: PoolEvent) => void): Promise<JobResult[]>;
  /** Releases the runner; `finished`: the report is written (a queue may forget the run's jobs). */
  close(finished: boolean): Promise<void>;
}

/** What a runner is made for: the run folder (its name keys the run's jobs on a queue) and the number of jobs. */
export interface JobRunnerPlan {
  outDir: string;
  jobs: number;
}

/** Makes the runner of one comparison run (may connect somewhere first). */
export type JobRunnerFactory = (plan: JobRunnerPlan) => JobRunner | Promise<JobRunner>;

/**
 * The local pool ({@link runJobs}): the default runner of `runCompare`. Its close of an
 * unfinished run (Ctrl-C) stops the worker processes running (an inline job cannot be stopped:
 * the process's exit ends it).
 */
export const localJobRunner: JobRunner = {
  where: 'local',
  runJobs,
  close: async (finished) => {
    if (!finished) stopWorkers();
  },
};
