/**
 * The worker of a hyper-parameter search (piscina): runs one trial per task. Started by
 * runSearch through `workerEntry` (@loopflow/training): this file through ts-node when the
 * search runs from the sources, its compiled `dist/trial-worker.cjs` when it runs from a build.
 */
import type { MessagePort } from 'worker_threads';
import { runTrial, TrialResult, TrialTask } from './trial';

/** Piscina task: `{ task, port? }` -> the trial's result; progress goes to `port`. */
export default async function trial({ task, port }: { task: TrialTask; port?: MessagePort }): Promise<TrialResult> {
  try {
    return await runTrial(task, (progress) => port && port.postMessage(progress));
  } finally {
    if (port) port.close();
  }
}
