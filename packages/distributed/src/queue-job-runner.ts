import * as path from 'path';
import type { BenchJob, JobProgress, JobResult, JobRunner, JobRunnerFactory, PoolEvent } from '@loopflow/benchmark';
import { parseQueueUrl } from './connection';
import { COMPARE_JOB, CompareJobData, CompareJobReturn, jobId } from './protocol';
import type { QueueRunnerOptions } from './queue-options';
import { Submission } from './submission';
import { loopflowVersion } from './version';

/**
 * The second implementation of benchmark's {@link JobRunner}: the comparison's jobs go on a
 * BullMQ queue in Redis and `loopflow worker --queue` processes on any machine run them, each
 * in a worker process of its own as locally. The run id is the run folder's name; each job's id
 * is `<run id>.<job id>`, so re-attaching (`attach: true`, same `--out`) picks up the finished
 * ones. The scaling measurements still go one at a time (one job on the queue at once); the
 * timings are then the workers' machines'.
 *
 * @example
 * await runCompare({ suite: 'tiny', runner: queueJobRunner({ url: 'redis://127.0.0.1:6379' }) });
 */
export function queueJobRunner(options: QueueRunnerOptions): JobRunnerFactory {
  return async (plan) => {
    const address = parseQueueUrl(options.url, { reconnectSeconds: options.reconnectSeconds });
    const runId = path.basename(plan.outDir).replace(/:/g, '_');
    const submission = await Submission.open(address, { pollMs: options.pollMs, log: options.log });
    const submitted: string[] = [];
    const runOne = async (job: BenchJob, onEvent: (e: PoolEvent) => void): Promise<JobResult> => {
      const data: CompareJobData = { format: 'loopflow.compare-job/1', version: loopflowVersion(), runId, job };
      const id = jobId(runId, job.id);
      submitted.push(id);
      const outcome = await submission.submit<CompareJobReturn, JobProgress>(COMPARE_JOB, id, data, {
        started: () => onEvent({ type: 'start', job }),
        progress: (progress) => onEvent({ type: 'progress', job, progress }),
      });
      return outcome.ok ? outcome.value.result : { kind: 'failed', id: job.id, jobKind: job.kind, error: outcome.reason };
    };
    const runner: JobRunner = {
      where: `the queue at ${address.shown} (run id ${runId})`,
      parallel: plan.jobs,
      async runJobs(jobs, poolOptions, onEvent) {
        const results: JobResult[] = new Array(jobs.length);
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < jobs.length) {
            const index = next++;
            results[index] = await runOne(jobs[index], onEvent);
            onEvent({ type: 'end', job: jobs[index], result: results[index] });
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, Math.min(poolOptions.parallel, jobs.length)) }, lane));
        return results;
      },
      async close(finished) {
        if (finished) await submission.forget(submitted);
        await submission.close();
      },
    };
    return runner;
  };
}
