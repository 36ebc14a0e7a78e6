import * as fs from 'fs';
import * as path from 'path';
import { EMPTY, Observable, OperatorFunction, tap } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import type { StageRegistry } from '../registry/registry';
import type { StageContext } from '../registry/stage';
import { defaultRegistry } from '../registry/default-registry';
import type { PipelineDefinition } from '../definition/types';
import { validateDefinition } from '../definition/validate';
import { checkStages } from '../definition/check-stages';
import { DefinitionError } from '../definition/problems';
import type { Artifacts } from '../stages/common/artifacts';
import type { EvaluatedBundle, TrainedBundle } from '../stages/common/bundle';
import { saveModel } from '../model/model-file';
import { readReportData, renderReport } from '../report/report';
import type { PipelineEvent } from './events';
import { createRunFolder, MetricsLog } from './run-folder';
import { RunSummary, SUMMARY_FORMAT } from './summary';
import { writeFileAtomic } from './atomic';
import { applyOverrides, DefinitionOverrides } from '../overrides/overrides';
import { DIAGNOSTICS_FILE, runDiagnostics } from '../diagnostics/diagnostics';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The stages the definition may name (default: the built-in ones). */
  registry?: StageRegistry;
  /** The definition's folder: relative data paths are read from here (default: the working folder). */
  baseDir?: string;
  /** The folder that receives `<name>-<time>/` (default `runs` in the working folder). */
  runsDir?: string;
  /** Use exactly this run folder instead (created when absent; a search trial's folder, or a run to resume). */
  runDir?: string;
  /** Resume training from this checkpoint, or the newest in this checkpoints folder. */
  resumeFrom?: string;
  /** The clock (tests). */
  now?: () => Date;
  /**
   * Options to change before the run (field -> value, fields as in a search block:
   * `train.epochs`, `first-names.limit`...): a shortened run of a full definition. The
   * definition as run (definition.json) holds them.
   */
  overrides?: DefinitionOverrides;
}

/** The run folder was created; the run begins. */
export interface RunStartEvent {
  type: 'run-start';
  runDir: string;
}

/** The run ended; its summary (also in summary.json). */
export interface RunDoneEvent {
  type: 'run-done';
  runDir: string;
  summary: RunSummary;
}

/** What {@link runPipeline} emits: the run's start, every pipeline event, and the end. */
export type RunEvent = RunStartEvent | PipelineEvent | RunDoneEvent;

const LOGGED = new Set(['step', 'epoch', 'checkpoint', 'resume', 'early-stop', 'done', 'evaluation', 'baseline']);

/**
 * Runs a pipeline definition: validates it (a `DefinitionError` for any problem, nothing run),
 * creates the run folder `runs/<name>-<time>/`, builds each stage through the registry and
 * composes the operators with `pipe`, then writes the model (`model.safetensors` +
 * `model.json`), the optimizer state, `summary.json` and `report.html`. Every training and
 * evaluation event goes to `metrics.jsonl` as it happens. A cold Observable: subscribing
 * starts the run; unsubscribing stops training between two steps (the summary says
 * 'interrupted'; the checkpoints remain for `resumeFrom`).
 *
 * @example
 * const { definition, baseDir } = loadDefinition('examples/names/pipeline.json');
 * runPipeline(definition, { baseDir }).subscribe((e) => e.type === 'epoch' && console.log(e.trainLoss));
 */
export function runPipeline(given: PipelineDefinition, options: RunPipelineOptions = {}): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let definition = given;
    try {
      if (options.overrides) definition = applyOverrides(given, options.overrides);
    } catch (e) {
      subscriber.error(e);
      return;
    }
    const registry = options.registry ?? defaultRegistry();
    const baseDir = path.resolve(options.baseDir ?? process.cwd());
    const problems = validateDefinition(definition, { registry, baseDir });
    if (problems.length) {
      subscriber.error(new DefinitionError(problems));
      return;
    }
    const now = options.now ?? (() => new Date());
    const started = now();
    let runDir: string;
    if (options.runDir) {
      runDir = path.resolve(options.runDir);
      fs.mkdirSync(runDir, { recursive: true });
    } else runDir = createRunFolder(path.resolve(options.runsDir ?? 'runs'), definition.name, started);
    const asRun = { ...definition, seed: definition.seed ?? 0 };
    writeFileAtomic(path.join(runDir, 'definition.json'), JSON.stringify(asRun, null, 2) + '\n');
    const summary: RunSummary = { format: SUMMARY_FORMAT, name: definition.name, status: 'running', started: started.toISOString(), seed: asRun.seed };
    const writeSummary = (): void => writeFileAtomic(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    writeSummary();
    const log = new MetricsLog(path.join(runDir, 'metrics.jsonl'));
    let finished = false;

    const emit = (event: PipelineEvent): void => {
      if (LOGGED.has(event.type)) log.write({ ...event, time: now().toISOString() });
      if (event.type === 'data') {
        summary.task = event.task;
        summary.samples = event.samples;
      }
      if (event.type === 'train-start') summary.parameters = event.parameters;
      subscriber.next(event);
    };
    subscriber.next({ type: 'run-start', runDir });

    const artifacts: Artifacts = {};
    const { plans } = checkStages(definition.stages, registry);
    let stream: Observable<unknown> = EMPTY;
    try {
      for (const plan of plans) {
        const { stage: _name, ...stageOptions } = definition.stages[plan.index];
        const ctx: StageContext = {
          baseDir,
          runDir,
          seed: asRun.seed,
          name: definition.name,
          path: `/stages/${plan.index}`,
          task: plan.task,
          artifacts,
          emit,
          ...(options.resumeFrom ? { resumeFrom: path.resolve(options.resumeFrom) } : {}),
        };
        const operator = plan.stage.create(stageOptions, ctx) as OperatorFunction<unknown, unknown>;
        let begun = 0;
        stream = operator(stream).pipe(
          tap({
            subscribe: () => (begun = Date.now()),
            complete: () => emit({ type: 'stage', index: plan.index, name: plan.stage.name, status: 'done', ms: Date.now() - begun }),
          }),
        );
      }
    } catch (e) {
      fail(e);
      return;
    }

    function fail(error: unknown): void {
      finished = true;
      const finishedAt = now();
      summary.status = 'failed';
      summary.finished = finishedAt.toISOString();
      summary.seconds = (finishedAt.getTime() - started.getTime()) / 1000;
      summary.error = { ...(error instanceof LoopflowError ? { code: error.code } : {}), message: error instanceof Error ? error.message : String(error) };
      try {
        writeSummary();
      } finally {
        log.close();
      }
      renderReport(readReportData(runDir))
        .then((html) => writeFileAtomic(path.join(runDir, 'report.html'), html))
        .catch(() => undefined)
        .then(() => subscriber.error(error));
    }

    async function finish(last: TrainedBundle | EvaluatedBundle): Promise<void> {
      const file = saveModel(runDir, definition.name, last.model, last.data.artifacts);
      const diagnostics = runDiagnostics(last); // gradient flow on a validation batch, forecasts against the truth (for the report)
      writeFileAtomic(path.join(runDir, DIAGNOSTICS_FILE), JSON.stringify(diagnostics) + '\n');
      writeFileAtomic(path.join(runDir, 'optimizer.json'), JSON.stringify(last.training.optimizer.stateDict()) + '\n');
      const finishedAt = now();
      const t = last.training;
      Object.assign(summary, {
        status: 'completed',
        finished: finishedAt.toISOString(),
        seconds: (finishedAt.getTime() - started.getTime()) / 1000,
        model: last.model.description.kind,
        parameters: file.parameters,
        epochs: t.epochs,
        steps: t.steps,
        ...(t.best ? { best: t.best } : {}),
        stoppedEarly: t.stoppedEarly,
        history: t.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, ...(h.valid ? { valid: h.valid } : {}), lr: h.lr })),
        metrics: 'metrics' in last ? last.metrics : {},
        ...('confusion' in last && last.confusion ? { confusion: last.confusion } : {}),
        ...('baselines' in last && last.baselines ? { baselines: last.baselines } : {}),
        ...(last.generated ? { generated: last.generated } : {}),
        ...(last.data.artifacts.labels ? { labels: last.data.artifacts.labels } : {}),
      } satisfies Partial<RunSummary>);
      writeSummary();
      log.close();
      writeFileAtomic(path.join(runDir, 'report.html'), await renderReport(readReportData(runDir)));
      summary.files = fs.readdirSync(runDir).sort();
      writeSummary();
      finished = true;
      subscriber.next({ type: 'run-done', runDir, summary });
      subscriber.complete();
    }

    let last: unknown;
    const subscription = stream.subscribe({
      next: (value) => (last = value),
      error: (e) => fail(e),
      complete: () => {
        if (!last || typeof last !== 'object' || !('training' in last)) {
          fail(new LoopflowError('PIPELINE_INCOMPLETE', 'the pipeline gave no trained model; it needs a model stage and a train stage'));
          return;
        }
        finish(last as TrainedBundle).catch(fail);
      },
    });
    return () => {
      subscription.unsubscribe();
      if (!finished) {
        finished = true;
        summary.status = 'interrupted';
        summary.finished = now().toISOString();
        try {
          writeSummary();
          log.close();
        } catch {
          /* the folder may be gone */
        }
      }
    };
  });
}
