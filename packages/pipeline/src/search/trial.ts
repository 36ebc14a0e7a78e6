import { lastValueFrom, tap } from 'rxjs';
import type { PipelineDefinition } from '../definition/types';
import { runPipeline, RunEvent } from '../run/run-pipeline';
import type { RunSummary } from '../run-folder/summary';

/** What a trial needs to run (plain data: it crosses to a worker thread). */
export interface TrialTask {
  index: number;
  values: Record<string, unknown>;
  definition: PipelineDefinition;
  baseDir: string;
  runDir: string;
  metric: string;
  /**
   * Continue from this checkpoint (or the newest intact one in this checkpoints folder) of an
   * earlier attempt at the same trial, whose worker was stopped: the run resumes there.
   */
  resumeFrom?: string;
}

/** How a trial went. */
export interface TrialResult {
  index: number;
  values: Record<string, unknown>;
  seed: number;
  status: 'completed' | 'failed';
  runDir: string;
  /** The ranking metric's value (undefined when the trial failed or did not report it). */
  metric?: number;
  metrics?: RunSummary['metrics'];
  epochs?: number;
  seconds: number;
  error?: string;
}

/** A trial's progress, sent from the worker. */
export interface TrialProgress {
  index: number;
  epoch: number;
  epochs: number;
  loss: number;
}

/**
 * The value of a dotted metric name in a run summary: `validation.loss` reads the evaluation
 * (or, without an evaluate stage, the best epoch's validation results); `train.loss` the last
 * epoch's training loss.
 */
export function metricValue(summary: RunSummary, metric: string): number | undefined {
  const [split, name] = metric.includes('.') ? metric.split('.', 2) : ['validation', metric];
  const fromEvaluation = summary.metrics?.[split as 'validation']?.[name];
  if (typeof fromEvaluation === 'number') return fromEvaluation;
  const history = summary.history ?? [];
  if (split === 'train' && name === 'loss' && history.length) return history[history.length - 1].trainLoss;
  if (split === 'validation') {
    const epoch = summary.best ? history.find((h) => h.epoch === summary.best?.epoch) : history[history.length - 1];
    const value = epoch?.valid?.[name];
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/**
 * Runs one trial to the end and reports it; never throws (a failed trial is a result with its
 * error, so the other trials go on).
 */
export async function runTrial(task: TrialTask, onProgress?: (p: TrialProgress) => void): Promise<TrialResult> {
  const started = Date.now();
  const seed = task.definition.seed ?? 0;
  let summary: RunSummary | undefined;
  let epochs = 0;
  try {
    await lastValueFrom(
      runPipeline(task.definition, { baseDir: task.baseDir, runDir: task.runDir, ...(task.resumeFrom ? { resumeFrom: task.resumeFrom } : {}) }).pipe(
        tap((e: RunEvent) => {
          if (e.type === 'train-start') epochs = e.epochs;
          if (e.type === 'epoch') onProgress?.({ index: task.index, epoch: e.epoch, epochs, loss: e.valid?.loss ?? e.trainLoss });
          if (e.type === 'run-done') summary = e.summary;
        }),
      ),
    );
  } catch (e) {
    return { index: task.index, values: task.values, seed, status: 'failed', runDir: task.runDir, seconds: (Date.now() - started) / 1000, error: e instanceof Error ? e.message : String(e) };
  }
  const s = summary as RunSummary;
  return { index: task.index, values: task.values, seed, status: 'completed', runDir: task.runDir, metric: metricValue(s, task.metric), metrics: s.metrics, epochs: s.epochs, seconds: (Date.now() - started) / 1000 };
}
