import { Random } from '@loopflow/tensor';
import { createBenchModel } from '../models/create-model';
import { createTask } from '../tasks/create-task';
import { evaluateSet, runTrainJob, TrainJob } from '../training/train-run';

/** What one sampled training job cost, in this process (no worker start-up). */
export interface JobTiming {
  id: string;
  model: TrainJob['model'];
  /** The job's own step limit and validation interval (what the suite would run). */
  maxSteps: number;
  evalEvery: number;
  /** Steps the sample ran (at most the `steps` asked for). */
  sampledSteps: number;
  /** Median wall time of a training step (the report's ms/step), ms. */
  msPerStep: number;
  /** CPU time (user + system, every thread of the process) of the sample's training, validation and test, ms. */
  cpuMs: number;
  /** Wall time of the sample, ms. */
  wallMs: number;
  /** One pass over the validation set (what every `evalEvery` steps costs), ms. */
  validationMs: number;
  /** One pass over the test set (once per run), ms. */
  testMs: number;
  /** Task and model set-up (data generation, widths, initialisation), ms. */
  setupMs: number;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Times a training job of the suite in this process: `steps` training steps (the job's
 * `maxSteps` when larger is asked), then separately the set-up, one validation pass and one
 * test pass, so that {@link estimateJobMs} can scale the job to any number of steps.
 *
 * @example const t = await timeTrainJob(job, 20); t.msPerStep;
 */
export async function timeTrainJob(job: TrainJob, steps: number): Promise<JobTiming> {
  const sampledSteps = Math.max(1, Math.min(steps, job.maxSteps));
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  // evalEvery >= steps: one validation at the end of the sample, as in the suite's first epoch
  const result = await runTrainJob({ ...job, maxSteps: sampledSteps, stopWhenSolved: false, flowAfterTraining: false });
  const wallMs = performance.now() - wall0;
  const cpuMs = cpuNow() - cpu0;

  let t = performance.now();
  const task = createTask(job.task);
  const model = createBenchModel(job.model, task, job.budget, new Random(`${job.seed}/init/${job.model}`), { maxLength: task.maxLength });
  const setupMs = performance.now() - t;
  t = performance.now();
  evaluateSet(model, task, task.validation);
  const validationMs = performance.now() - t;
  t = performance.now();
  evaluateSet(model, task, task.test);
  const testMs = performance.now() - t;
  return {
    id: job.id, model: job.model, maxSteps: job.maxSteps, evalEvery: job.evalEvery, sampledSteps: result.steps,
    msPerStep: result.msPerStep, cpuMs, wallMs, validationMs, testMs, setupMs,
  };
}

/**
 * The wall time a job would take on a core of its own when it runs `steps` steps: set-up,
 * the steps at the sampled median, a validation every `evalEvery` steps and the test pass.
 *
 * @example estimateJobMs(timing, 2000)
 */
export function estimateJobMs(timing: JobTiming, steps: number): number {
  return timing.setupMs + steps * timing.msPerStep + Math.ceil(steps / timing.evalEvery) * timing.validationMs + timing.testMs;
}

/**
 * The wall time of running jobs of the given durations in this order on `lanes` lanes, each
 * job going to the lane that frees first (what the pool does, `runJobs`).
 *
 * @example scheduleMs([5, 3, 3], 2) // 6
 */
export function scheduleMs(durations: readonly number[], lanes: number): number {
  const free = new Array<number>(Math.max(1, lanes)).fill(0);
  for (const d of durations) {
    let i = 0;
    for (let j = 1; j < free.length; j++) if (free[j] < free[i]) i = j;
    free[i] += d;
  }
  return Math.max(...free);
}
