import { Random, noGrad } from '@loopflow/tensor';
import { adam } from '@loopflow/optimizers';
import { train, TrainEvent } from '@loopflow/training';
import { takeWhile, tap } from 'rxjs';
import type { ModelKind } from '../names';
import { createBenchModel, BenchModel } from '../models/create-model';
import { createTask, TaskSpec } from '../tasks/create-task';
import { TaskBatch, TaskInstance, isSolved } from '../tasks/task';
import { GradientFlowCurve, flowCurve } from './gradient-flow';
import { HeapPeak } from './memory';

/** One training run of the comparison, as plain JSON (a job for a worker process). */
export interface TrainJob {
  kind: 'train';
  /** Unique in the suite: 'adding/T=100/lstm/seed=1'. */
  id: string;
  task: TaskSpec;
  model: ModelKind;
  seed: number;
  /** Parameter budget; the model's width is chosen to match it. */
  budget: number;
  batchSize: number;
  /** Optimizer steps at most. */
  maxSteps: number;
  /** Steps between validations (the resolution of "steps until solved"). */
  evalEvery: number;
  /** Adam's learning rate. */
  lr: number;
  /** Global gradient-norm clip. */
  clipGradNorm: number;
  /** Stop at the first validation that meets the solved threshold. */
  stopWhenSolved: boolean;
  /** Recurrent models: also measure the gradient-flow curve after training. */
  flowAfterTraining: boolean;
}

/** A validation point of the learning curve. */
export interface CurvePoint {
  step: number;
  /** Mean training loss since the previous point. */
  trainLoss: number;
  /** The validation metric (task units: MSE, accuracy, bits/char, ppm). */
  valid: number;
}

/** The metric on one group of a grouped task (long-context: one distance). */
export interface GroupValue {
  group: number;
  value: number;
}

/** What a training run gives. */
export interface TrainResult {
  kind: 'train';
  id: string;
  taskId: string;
  task: TaskSpec['task'];
  setting: { name: string; value: number };
  model: ModelKind;
  seed: number;
  /** Hidden size or dModel. */
  width: number;
  parameters: number;
  description: string;
  /** Optimizer steps taken. */
  steps: number;
  curve: CurvePoint[];
  /** First step at which the validation metric met the threshold; null when it never did. */
  stepsToSolve: number | null;
  /** Why the run ended. */
  stopped: 'solved' | 'max-steps' | 'diverged';
  /** The final test metric. */
  test: number;
  /** Grouped tasks: the test metric per group. */
  testByGroup?: GroupValue[];
  /** Whether the final test metric meets the task's threshold. */
  solved: boolean;
  /** Median wall time of a training step (forward, backward, clip, Adam), in ms. */
  msPerStep: number;
  /** Wall time of the run including validations and the test, in ms. */
  wallMs: number;
  /** Peak of V8 heap + ArrayBuffers sampled after each training forward pass, above the level before training, in bytes. */
  heapPeakBytes: number;
  /** Filled by the job runner: the worker process's peak RSS (null when run in the parent process). */
  rssPeakBytes: number | null;
  /** Filled by the job runner: the worker's peak RSS before the job started (Node and the loaded code), bytes. */
  rssWorkerBaseBytes: number | null;
  /** Recurrent models with `flowAfterTraining`. */
  flowAfter?: GradientFlowCurve;
  /** The error message when the run diverged. */
  error?: string;
}

/** Progress of a job, for progress bars and logs. */
export interface JobProgress {
  jobId: string;
  step: number;
  of: number;
  loss?: number;
  /** The latest validation metric. */
  valid?: number;
  /** True when this report follows a validation (a line worth printing in a plain log). */
  eval?: boolean;
}

/** Evaluates a model on fixed batches without gradients: the finished metric, and per group when batches carry a group. */
export function evaluateSet(model: BenchModel, task: TaskInstance, batches: readonly TaskBatch[]): { value: number; byGroup?: GroupValue[] } {
  return noGrad(() => {
    let sum = 0;
    let count = 0;
    const groups = new Map<number, { sum: number; count: number }>();
    for (const batch of batches) {
      const out = model.forward(batch.inputs, task.readFrom(batch.inputs.shape[0]));
      const ev = task.evaluate(out, batch);
      sum += ev.metricSum;
      count += ev.count;
      if (batch.group !== undefined) {
        const g = groups.get(batch.group) ?? { sum: 0, count: 0 };
        g.sum += ev.metricSum;
        g.count += ev.count;
        groups.set(batch.group, g);
      }
    }
    const byGroup = groups.size > 0 ? [...groups].map(([group, g]) => ({ group, value: task.metric.finish(g.sum / g.count) })) : undefined;
    // A grouped task's overall value is the mean over groups (each distance counts the same).
    const value = byGroup ? byGroup.reduce((s, g) => s + g.value, 0) / byGroup.length : task.metric.finish(sum / count);
    return byGroup ? { value, byGroup } : { value };
  });
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs one training job with @loopflow/training's `train` (full BPTT, Adam, global-norm
 * clipping): every `evalEvery` steps is one "epoch" of freshly drawn batches followed by a
 * validation pass; the run stops at `maxSteps`, at the first solved validation (with
 * `stopWhenSolved`), or when the loss turns non-finite. Then the test set is scored.
 *
 * @example
 * const result = await runTrainJob(job, (p) => console.error(p.step, p.loss));
 * result.stepsToSolve; // e.g. 450
 */
export async function runTrainJob(job: TrainJob, onProgress: (p: JobProgress) => void = () => {}): Promise<TrainResult> {
  const started = performance.now();
  const task = createTask(job.task);
  const model = createBenchModel(job.model, task, job.budget, new Random(`${job.seed}/init/${job.model}`), { maxLength: task.maxLength });
  const memory = new HeapPeak();
  const curve: CurvePoint[] = [];
  const stepMs: number[] = [];
  let stepsToSolve: number | null = null;
  let stopped: TrainResult['stopped'] = 'max-steps';
  let error: string | undefined;
  let steps = 0;
  let lastLoss = NaN;
  const epochs = Math.ceil(job.maxSteps / job.evalEvery);

  const onEvent = (e: TrainEvent): void => {
    if (e.type === 'step') {
      model.afterStep();
      steps = e.step;
      lastLoss = e.loss;
      stepMs.push(e.ms);
      if (e.step % 10 === 0) onProgress({ jobId: job.id, step: e.step, of: job.maxSteps, loss: e.loss, valid: curve.at(-1)?.valid });
    } else if (e.type === 'epoch') {
      const valid = task.metric.finish(e.valid!.metric);
      curve.push({ step: steps, trainLoss: e.trainLoss, valid });
      onProgress({ jobId: job.id, step: steps, of: job.maxSteps, loss: lastLoss, valid, eval: true });
      if (stepsToSolve === null && isSolved(task.metric, valid)) {
        stepsToSolve = steps;
        if (job.stopWhenSolved) stopped = 'solved';
      }
    }
  };

  await new Promise<void>((resolve) => {
    train<object, TaskBatch>({
      model: model.module,
      forward: (_m, batch, _state, ctx) => {
        const out = model.forward(batch.inputs, task.readFrom(batch.inputs.shape[0]));
        const ev = task.evaluate(out, batch);
        if (ctx.training) memory.sample();
        return { loss: ev.loss, metrics: { metric: ev.metricSum / ev.count }, count: ev.count };
      },
      optimizer: (params) => adam(params, { lr: job.lr }),
      clipGradNorm: job.clipGradNorm,
      trainBatches: function* ({ epoch, rng }) {
        const n = Math.min(job.evalEvery, job.maxSteps - (epoch - 1) * job.evalEvery);
        for (let i = 0; i < n; i++) yield task.trainBatch(rng, job.batchSize);
      },
      validBatches: () => task.validation,
      epochs,
      seed: `${job.seed}/${job.model}`,
    })
      .pipe(
        tap(onEvent),
        takeWhile(() => stopped !== 'solved', true),
      )
      .subscribe({
        error: (e: unknown) => {
          stopped = 'diverged';
          error = e instanceof Error ? e.message : String(e);
          resolve();
        },
        complete: () => resolve(),
      });
  });

  const test = evaluateSet(model, task, task.test);
  const flowAfter = job.flowAfterTraining && model.recurrent ? flowCurve(model, task, task.trainBatch(new Random('gradient-flow'), 64), 'trained', job.seed) : undefined;
  return {
    kind: 'train',
    id: job.id,
    taskId: task.id,
    task: task.task,
    setting: task.setting,
    model: job.model,
    seed: job.seed,
    width: model.width,
    parameters: model.parameters,
    description: model.description,
    steps,
    curve,
    stepsToSolve,
    stopped,
    test: test.value,
    ...(test.byGroup ? { testByGroup: test.byGroup } : {}),
    solved: isSolved(task.metric, test.value),
    msPerStep: median(stepMs),
    wallMs: performance.now() - started,
    heapPeakBytes: memory.bytes,
    rssPeakBytes: null,
    rssWorkerBaseBytes: null,
    ...(flowAfter ? { flowAfter } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}
