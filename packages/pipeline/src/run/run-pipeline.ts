import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EMPTY, Observable, OperatorFunction, tap } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import type { StageRegistry } from '../registry/registry';
import type { StageContext } from '../vocabulary/stage';
import { defaultRegistry } from '../stages/default-registry';
import type { PipelineDefinition } from '../definition/types';
import { checkDefinition, isStillValid, locate, stageFactoryProblem, ValidatedDefinition } from '../definition/validate';
import { DefinitionError } from '../definition/problems';
import type { Artifacts } from '../vocabulary/artifacts';
import type { EvaluatedBundle, TrainedBundle } from '../vocabulary/bundle';
import { saveModel } from '../model/model-file';
import { readReportData, renderReport } from '../report/report';
import type { PipelineEvent } from '../vocabulary/events';
import { createRunFolder, MetricsLog, readMetricsLog } from '../run-folder/run-folder';
import { KilledRun, markIfKilled, markKilledRuns } from '../run-folder/stale-runs';
import { RunSummary, SUMMARY_FORMAT } from '../run-folder/summary';
import { writeFileAtomic } from '../run-folder/atomic';
import { applyOverrides, DefinitionOverrides } from '../overrides/overrides';
import { relocateDefinition } from '../definition/relocate';
import { DIAGNOSTICS_FILE, runDiagnostics } from '../diagnostics/diagnostics';

/** Options of {@link runPipeline}. */
export interface RunPipelineOptions {
  /** The stages a plain definition may name (default: the built-in ones; a validated definition keeps the registry it was validated with). */
  registry?: StageRegistry;
  /** A plain definition's folder: relative data paths are read from here (default: the working folder; a validated definition keeps its own). */
  baseDir?: string;
  /** The folder that receives `<name>-<time>/` (default `runs` in the working folder). */
  runsDir?: string;
  /** Use exactly this run folder instead (created when absent; a search trial's folder, or a run to resume). */
  runDir?: string;
  /**
   * Resume training from this checkpoint, or the newest intact one in this checkpoints folder.
   * The new run folder continues the history of the run it resumes: its metrics.jsonl starts
   * with that run's records up to the checkpoint, and its summary and report cover every epoch.
   */
  resumeFrom?: string;
  /**
   * A stop request (an AbortSignal, or any `{ aborted }`): training stops at the next batch
   * boundary, writes a checkpoint there, and the run ends with status 'interrupted' (the error
   * has code INTERRUPTED). Unsubscribing stops at once, without that checkpoint.
   */
  signal?: { readonly aborted: boolean };
  /** The clock (tests). */
  now?: () => Date;
  /**
   * Options to change before the run (field -> value, fields as in a search block:
   * `train.epochs`, `first-names.limit`...): a shortened run of a full definition. The
   * definition as run (definition.json) holds them. The changed definition is validated
   * (once, with the loaded definition's positions).
   */
  overrides?: DefinitionOverrides;
}

/**
 * The definition a run runs, validated exactly once: a {@link ValidatedDefinition} (from
 * `loadDefinition`, `parseDefinition` or `validatedDefinition`) as it is; a plain object, a
 * validated definition changed since, or one changed by `overrides`, through the one
 * validation pass (without the search block's trials: a run ignores the search block).
 */
function definitionToRun(given: PipelineDefinition | ValidatedDefinition, options: RunPipelineOptions): ValidatedDefinition {
  const from = 'plans' in given && 'definition' in given ? given : null;
  if (from) {
    if (options.baseDir !== undefined && path.resolve(options.baseDir) !== from.baseDir) {
      throw new LoopflowError('INVALID_ARGUMENT', `runPipeline: baseDir ${path.resolve(options.baseDir)} differs from the folder the definition was validated with (${from.baseDir}); leave baseDir out, or pass the plain definition`);
    }
    if (options.registry && options.registry !== from.registry) {
      throw new LoopflowError('INVALID_ARGUMENT', 'runPipeline: the definition was validated with another registry; leave registry out, or pass the plain definition');
    }
    if (!options.overrides && isStillValid(from)) return from;
  }
  const definition = from ? from.definition : (given as PipelineDefinition);
  const changed = options.overrides ? applyOverrides(definition, options.overrides) : definition;
  const { problems, validated } = checkDefinition(changed, {
    registry: from?.registry ?? options.registry ?? defaultRegistry(),
    baseDir: from?.baseDir ?? path.resolve(options.baseDir ?? process.cwd()),
    locations: from?.locations,
    file: from?.file,
    checkSearch: false,
  });
  if (!validated) throw new DefinitionError(problems, from?.file);
  return validated;
}

/**
 * The run folder holding `resumeFrom` (a run folder's `checkpoints/` or one checkpoint in it):
 * the nearest folder above it with a summary.json, or null.
 */
export function runFolderOf(resumeFrom: string): string | null {
  let dir = path.resolve(resumeFrom);
  for (let up = 0; up < 3; up++) {
    if (fs.existsSync(path.join(dir, 'summary.json'))) return dir;
    dir = path.dirname(dir);
  }
  return null;
}

/**
 * The records of an earlier run's metrics.jsonl that a run resumed from its checkpoint at
 * (`epoch` epochs done, `step` steps) continues: steps, epochs, checkpoints and resumes up to
 * there. What came after the checkpoint (retrained now) and the end-of-run records
 * (evaluation, baselines, done) are left out.
 */
export function historyUpTo(records: readonly Record<string, unknown>[], epoch: number, step: number): Record<string, unknown>[] {
  return records.filter((r) => {
    switch (r.type) {
      case 'step':
      case 'checkpoint':
      case 'resume':
        return typeof r.step === 'number' && r.step <= step;
      case 'epoch':
      case 'early-stop':
        return typeof r.epoch === 'number' && r.epoch <= epoch;
      default:
        return false;
    }
  });
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

const LOGGED = new Set(['read', 'step', 'epoch', 'checkpoint', 'resume', 'early-stop', 'done', 'evaluation', 'baseline']);

/**
 * Runs a pipeline definition: takes the loaded (validated) definition as it is, or validates a
 * plain one, once (a `DefinitionError` for any problem, nothing run; the search block is
 * ignored: `runSearch` runs it), creates the run folder `runs/<name>-<time>/`, builds each
 * stage once from the validation's plans and composes the operators with `pipe`, then
 * writes the model (`model.safetensors` + `model.json`), the optimizer state, `summary.json`
 * and `report.html`. Every training and evaluation event goes to `metrics.jsonl` as it
 * happens. A cold Observable: subscribing starts the run; unsubscribing stops training
 * between two steps (the summary says 'interrupted'; the checkpoints remain for `resumeFrom`).
 *
 * @example
 * const loaded = loadDefinition('examples/names/pipeline.json'); // validated here, with line:column
 * runPipeline(loaded).subscribe((e) => e.type === 'epoch' && console.log(e.trainLoss));
 */
export function runPipeline(given: PipelineDefinition | ValidatedDefinition, options: RunPipelineOptions = {}): Observable<RunEvent> {
  return new Observable<RunEvent>((subscriber) => {
    let valid: ValidatedDefinition;
    try {
      valid = definitionToRun(given, options);
    } catch (e) {
      subscriber.error(e);
      return;
    }
    const { definition, baseDir, plans } = valid;
    const now = options.now ?? (() => new Date());
    const started = now();
    let runDir: string;
    // runs left 'running' by a process that is gone are marked 'killed' (and their half-written files removed) when met
    const killed: KilledRun[] = [];
    const resumedRun = options.resumeFrom ? runFolderOf(options.resumeFrom) : null;
    if (options.runDir) {
      runDir = path.resolve(options.runDir);
      fs.mkdirSync(runDir, { recursive: true });
    } else {
      const runsDir = path.resolve(options.runsDir ?? 'runs');
      killed.push(...markKilledRuns(runsDir, started));
      runDir = createRunFolder(runsDir, definition.name, started);
    }
    if (resumedRun && !killed.some((k) => k.runDir === resumedRun)) {
      const marked = markIfKilled(resumedRun, started);
      if (marked) killed.push(marked);
    }
    const asRun = { ...definition, seed: definition.seed ?? 0 };
    // its data paths re-written relative to the run folder, so `loopflow run <run folder>/definition.json` reads the same files
    writeFileAtomic(path.join(runDir, 'definition.json'), JSON.stringify(relocateDefinition(asRun, baseDir, runDir, valid.registry), null, 2) + '\n');
    const summary: RunSummary = { format: SUMMARY_FORMAT, name: definition.name, status: 'running', started: started.toISOString(), seed: asRun.seed, pid: process.pid, host: os.hostname() };
    const writeSummary = (): void => writeFileAtomic(path.join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    writeSummary();
    const log = new MetricsLog(path.join(runDir, 'metrics.jsonl'));
    let finished = false;
    /** The epochs of the run resumed (summary.json's history starts with them). */
    let priorHistory: NonNullable<RunSummary['history']> = [];
    /** The epochs trained by this run so far (a failed or interrupted run's summary keeps them). */
    const liveHistory: NonNullable<RunSummary['history']> = [];

    /** A resumed run starts its metrics.jsonl with the resumed run's records up to the checkpoint. */
    const continueHistory = (event: Extract<PipelineEvent, { type: 'resume' }>): void => {
      summary.resumedFrom = { runDir: resumedRun ?? path.dirname(path.dirname(event.path)), checkpoint: event.path, epoch: event.epoch, step: event.step };
      if (!resumedRun) return;
      const earlier = historyUpTo(readMetricsLog(path.join(resumedRun, 'metrics.jsonl')), event.epoch, event.step);
      for (const record of earlier) log.write(record);
      priorHistory = earlier
        .filter((r) => r.type === 'epoch')
        .map((r) => ({ epoch: r.epoch as number, trainLoss: r.trainLoss as number, ...(r.valid ? { valid: r.valid as never } : {}), lr: r.lr as number }));
    };

    const emit = (event: PipelineEvent): void => {
      if (event.type === 'resume') continueHistory(event);
      if (event.type === 'epoch') liveHistory.push({ epoch: event.epoch, trainLoss: event.trainLoss, ...(event.valid ? { valid: event.valid } : {}), lr: event.lr });
      if (LOGGED.has(event.type)) log.write({ ...event, time: now().toISOString() });
      if (event.type === 'data') {
        summary.task = event.task;
        summary.samples = event.samples;
      }
      if (event.type === 'train-start') summary.parameters = event.parameters;
      if (event.type === 'read') {
        const { type: _type, ...read } = event;
        summary.sources = [...(summary.sources ?? []).filter((r) => r.path !== read.path), read];
      }
      subscriber.next(event);
    };
    subscriber.next({ type: 'run-start', runDir });
    for (const k of killed) {
      const cleaned = k.removed.length > 0 ? `; removed what it left half-written: ${k.removed.join(', ')}` : '';
      emit({ type: 'log', message: `marked ${k.runDir} as killed: its process ${k.pid} is gone but its summary said 'running'${cleaned}` });
    }

    const artifacts: Artifacts = {};
    let stream: Observable<unknown> = EMPTY;
    for (const plan of plans) {
      // Builds each stage once. Its options were checked by the validation (which calls the
      // factory without running anything); should a factory still refuse them with the run's
      // context, the problem is a definition problem at its line:column like any other.
      let operator: OperatorFunction<unknown, unknown>;
      const { stage: _name, ...stageOptions } = definition.stages[plan.index];
      const ctx: StageContext = {
        baseDir,
        runDir,
        seed: asRun.seed,
        dataSeed: definition.dataSeed ?? asRun.seed,
        name: definition.name,
        path: `/stages/${plan.index}`,
        task: plan.task,
        artifacts,
        emit,
        ...(options.resumeFrom ? { resumeFrom: path.resolve(options.resumeFrom) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      try {
        operator = plan.stage.create(stageOptions, ctx) as OperatorFunction<unknown, unknown>;
      } catch (e) {
        fail(new DefinitionError([locate(stageFactoryProblem(plan, e), valid.locations)], valid.file));
        return;
      }
      let begun = 0;
      stream = operator(stream).pipe(
        tap({
          subscribe: () => (begun = Date.now()),
          complete: () => emit({ type: 'stage', index: plan.index, name: plan.stage.name, status: 'done', ms: Date.now() - begun }),
        }),
      );
    }

    function fail(error: unknown): void {
      finished = true;
      const finishedAt = now();
      summary.status = error instanceof LoopflowError && error.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
      summary.finished = finishedAt.toISOString();
      summary.seconds = (finishedAt.getTime() - started.getTime()) / 1000;
      summary.error = { ...(error instanceof LoopflowError ? { code: error.code } : {}), message: error instanceof Error ? error.message : String(error) };
      if (priorHistory.length + liveHistory.length > 0) summary.history = [...priorHistory, ...liveHistory];
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
        history: [...priorHistory, ...t.history.map((h) => ({ epoch: h.epoch, trainLoss: h.trainLoss, ...(h.valid ? { valid: h.valid } : {}), lr: h.lr }))],
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
