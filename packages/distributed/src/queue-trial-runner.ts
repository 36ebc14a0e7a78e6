import { createHash } from 'crypto';
import { Queue } from 'bullmq';
import * as fs from 'fs';
import * as path from 'path';
import type { TrialResult, TrialRunner, TrialRunnerFactory, TrialRunnerPlan } from '@loopflow/pipeline';
import { parseQueueUrl } from './connection';
import { DistributedError } from './errors';
import { TRIAL_JOB, TrialJobData, TrialJobReturn, trialJobId } from './protocol';
import type { QueueRunnerOptions } from './queue-options';
import { Submission } from './submission';
import { loopflowVersion } from './version';

/** The queue that holds each search's description (never taken by a worker). */
const SEARCHES_QUEUE = 'loopflow-searches';

/** The search id of a search folder: its name. */
export function searchIdOf(searchDir: string): string {
  return path.basename(searchDir).replace(/:/g, '_');
}

/** A fingerprint of the trials' definitions: an attach must bring the same. */
function fingerprint(plan: TrialRunnerPlan): string {
  return createHash('sha256').update(JSON.stringify(plan.trials.map((t) => t.definition))).digest('hex').slice(0, 16);
}

/**
 * The second implementation of pipeline's {@link TrialRunner}: the search's trials go on a
 * BullMQ queue in Redis (all at once; the workers' `--concurrency` decides how many run) and
 * `loopflow worker --queue` processes on any machine take them. The search id is the search
 * folder's name; each trial's job id is `<search id>.trial-NNN`, so a trial runs and is
 * reported once whatever happens to the submitter (re-attach with `attach: true`).
 *
 * @example
 * runSearch(definition, { runner: queueTrialRunner({ url: 'redis://127.0.0.1:6379' }) }).subscribe(console.log);
 */
export function queueTrialRunner(options: QueueRunnerOptions): TrialRunnerFactory {
  return async (plan) => {
    const address = parseQueueUrl(options.url, { reconnectSeconds: options.reconnectSeconds });
    const artifacts = options.artifacts ? path.resolve(options.artifacts) : undefined;
    if (artifacts) {
      try {
        fs.mkdirSync(artifacts, { recursive: true });
      } catch (e) {
        throw new DistributedError('ARTIFACTS', `--artifacts ${artifacts}: cannot create the folder (${(e as Error).message}); give a folder every worker reaches at the same path`);
      }
    }
    const runId = searchIdOf(plan.searchDir);
    const submission = await Submission.open(address, { pollMs: options.pollMs, log: options.log });
    const description = { runId, name: plan.name, trials: plan.trials.length, fingerprint: fingerprint(plan), version: loopflowVersion(), artifacts: artifacts ?? null };
    const searches = new Queue(SEARCHES_QUEUE, { connection: address.connection });
    searches.on('error', () => undefined);
    try {
      const known = await searches.getJob(runId);
      if (options.attach) {
        if (!known) throw new DistributedError('SEARCH_NOT_FOUND', `no search ${runId} on the queue at ${address.shown}: it finished (its results are in ${plan.searchDir}) or never started there; check the search id on the search's first line`);
        const was = known.data as typeof description;
        if (was.fingerprint !== description.fingerprint) {
          throw new DistributedError('SEARCH_MISMATCH', `search ${runId} on the queue was started from another definition (or another search block) than the one given; attach with the definition it was started with`);
        }
        if ((was.artifacts ?? null) !== description.artifacts) {
          throw new DistributedError('SEARCH_MISMATCH', `search ${runId} was started ${was.artifacts ? `with --artifacts ${was.artifacts}` : 'without --artifacts'}; attach with the same`);
        }
      } else {
        if (known) throw new DistributedError('SEARCH_MISMATCH', `a search ${runId} is already on the queue at ${address.shown}; to follow it, add --attach ${runId}`);
        await searches.add('search', description, { jobId: runId });
      }
    } catch (e) {
      await Promise.allSettled([searches.close(), submission.close()]);
      throw e;
    }

    const ids = plan.trials.map((t) => trialJobId(runId, t.index));
    const runner: TrialRunner = {
      parallel: plan.trials.length,
      where: `the queue at ${address.shown} (search id ${runId}${artifacts ? `, artifacts in ${artifacts}` : ''})`,
      async run(task, hooks) {
        const data: TrialJobData = {
          format: 'loopflow.trial/1',
          version: loopflowVersion(),
          runId,
          index: task.index,
          values: task.values,
          definition: task.definition,
          baseDir: task.baseDir,
          metric: task.metric,
          ...(artifacts ? { artifacts } : {}),
        };
        const outcome = await submission.submit<TrialJobReturn, Parameters<typeof hooks.progress>[0]>(TRIAL_JOB, trialJobId(runId, task.index), data, hooks);
        if (!outcome.ok) {
          return { index: task.index, values: task.values, seed: task.definition.seed ?? 0, status: 'failed', runDir: task.runDir, seconds: 0, error: outcome.reason } satisfies TrialResult;
        }
        const back = outcome.value;
        if (artifacts) return back.result;
        writeReturnedFiles(task.runDir, back, options.log);
        return { ...back.result, runDir: task.runDir };
      },
      async close(finished) {
        if (finished) {
          await submission.forget(ids);
          try {
            await (await searches.getJob(runId))?.remove();
          } catch {
            // gone already
          }
        }
        await Promise.allSettled([searches.close(), submission.close()]);
      },
    };
    return runner;
  };
}

/** Writes the files a worker sent back into the trial's run folder (and what was left out). */
function writeReturnedFiles(runDir: string, back: TrialJobReturn, log?: (line: string) => void): void {
  fs.mkdirSync(runDir, { recursive: true });
  for (const file of back.files ?? []) {
    const target = path.resolve(runDir, file.path);
    if (!target.startsWith(runDir + path.sep)) continue; // never outside the run folder
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(`${target}.tmp`, Buffer.from(file.base64, 'base64'));
    fs.renameSync(`${target}.tmp`, target);
  }
  if (back.leftOut && back.leftOut.length > 0) {
    fs.writeFileSync(path.join(runDir, 'left-on-worker.json'), `${JSON.stringify({ worker: back.worker, files: back.leftOut }, null, 2)}\n`);
    log?.(`trial ${back.result.index}: ${back.leftOut.length} file(s) too large to send back left on worker ${back.worker} (listed in ${path.join(runDir, 'left-on-worker.json')}); use --artifacts for a shared folder`);
  }
}
