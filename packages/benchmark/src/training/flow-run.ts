import { Random } from '@loopflow/tensor';
import type { ModelKind } from '../names';
import { createBenchModel } from '../models/create-model';
import { addingTask } from '../tasks/adding';
import { GradientFlowCurve, flowCurve } from './gradient-flow';

/** Gradient flow at initialisation: one recurrent model on one adding-problem batch. */
export interface FlowJob {
  kind: 'gradient-flow';
  id: string;
  model: ModelKind;
  /** Sequence length of the adding-problem batch. */
  length: number;
  batchSize: number;
  /** Parameter budget (the adding problem's, so the curve belongs to the trained models' size). */
  budget: number;
  seed: number;
}

/** The result of a gradient-flow job. */
export interface FlowResult {
  kind: 'gradient-flow';
  id: string;
  curve: GradientFlowCurve;
}

/**
 * `||dL/dh_t||` at initialisation for a recurrent model of the comparison on an adding-problem
 * batch (loss: MSE of the prediction after the last step).
 *
 * @example (await runFlowJob({ kind: 'gradient-flow', id: 'f/rnn', model: 'rnn', length: 200, batchSize: 32, budget: 4600, seed: 0 })).curve.ratioFirstToLast
 */
export async function runFlowJob(job: FlowJob): Promise<FlowResult> {
  const task = addingTask(job.length, { validationSize: 1, testSize: 1 });
  const model = createBenchModel(job.model, task, job.budget, new Random(`${job.seed}/init/${job.model}`), { maxLength: job.length });
  const batch = task.trainBatch(new Random('gradient-flow'), job.batchSize);
  return { kind: 'gradient-flow', id: job.id, curve: flowCurve(model, task, batch, 'init', job.seed) };
}
