import { FlowJob, FlowResult, runFlowJob } from '../training/flow-run';
import { JobProgress, TrainJob, TrainResult, runTrainJob } from '../training/train-run';
import { ScalingJob, ScalingResult, runScalingJob } from '../scaling/scaling-run';

/** A unit of work of the suite, as plain JSON: a training run, a scaling measurement or a gradient-flow curve. */
export type BenchJob = TrainJob | ScalingJob | FlowJob;

/** A job that failed (its error, and the worker's exit when it died). */
export interface FailedJob {
  kind: 'failed';
  id: string;
  jobKind: BenchJob['kind'];
  error: string;
}

/** What a job gives. */
export type JobResult = TrainResult | ScalingResult | FlowResult | FailedJob;

/**
 * Runs a job in this process. `isolated` says whether this process runs only this job (then
 * peak RSS figures belong to it).
 *
 * @example await runJob({ kind: 'gradient-flow', id: 'f', model: 'lstm', length: 100, batchSize: 16, budget: 4000, seed: 0 });
 */
export async function runJob(job: BenchJob, onProgress: (p: JobProgress) => void = () => {}, isolated = false): Promise<TrainResult | ScalingResult | FlowResult> {
  switch (job.kind) {
    case 'train': return runTrainJob(job, onProgress);
    case 'scaling': return runScalingJob(job, onProgress, isolated);
    case 'gradient-flow': return runFlowJob(job);
  }
}
