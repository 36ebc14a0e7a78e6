import { concatMap, Observable, OperatorFunction } from 'rxjs';
import { parameters } from '@loopflow/layers';
import { defineStage, StageContext, StageOptionsError } from '../../vocabulary/stage';
import { train, TrainError } from '@loopflow/training';
import type { EpochEvent, ForwardFn, TrainOptions } from '@loopflow/training';
import type { Batch } from '@loopflow/data';
import type { ModelBundle, TrainedBundle } from '../../vocabulary/bundle';
import { HIGHER_IS_BETTER, metricMode, ALL_METRICS, TASK_METRICS } from '../../vocabulary/metric-set';
import { evaluateSplit } from '../../task/evaluate';
import { batchMetrics, taskCount, taskLoss } from '../../task/loss';
import type { LossName } from '../../vocabulary/bundle';
import { makeOptimizer, makeScheduler, OPTIMIZER_SCHEMA, OptimizerOptions, SCHEDULE_SCHEMA, ScheduleOptions } from './optimizer-options';
import { batchSlicer } from './batch-slicer';
import { longestInput } from './longest-input';
import { filePaths } from '../../platform/node';

/** Options of the `train` stage. */
export interface TrainStageOptions {
  epochs: number;
  loss?: LossName;
  huberDelta?: number;
  labelSmoothing?: number;
  optimizer?: OptimizerOptions;
  schedule?: ScheduleOptions;
  clipGradNorm?: number;
  clipGradValue?: number;
  bptt?: { stepsPerUpdate: number; stepsBackward?: number };
  earlyStopping?: { patience: number; minDelta?: number; monitor?: string; restoreBest?: boolean };
  checkpoint?: { every?: 'epoch' | number; keep?: number } | false;
  validate?: boolean;
}

function checkOptions(o: TrainStageOptions, ctx: StageContext): void {
  const task = ctx.task;
  const loss = o.loss;
  if (loss !== undefined && task) {
    const fits = task === 'forecast' ? loss !== 'cross-entropy' : loss === 'cross-entropy';
    if (!fits) {
      throw new StageOptionsError(`loss '${loss}' does not fit a ${task} task`, {
        path: '/loss',
        expected: task === 'forecast' ? "'mse', 'mae' or 'huber'" : "'cross-entropy'",
        found: `'${loss}'`,
        hint: 'remove loss to use the task\'s default',
      });
    }
  }
  if (o.huberDelta !== undefined && loss !== 'huber') throw new StageOptionsError("huberDelta applies to loss 'huber'", { path: '/huberDelta', hint: "set loss: 'huber' or remove huberDelta" });
  if (o.labelSmoothing !== undefined && task === 'forecast') throw new StageOptionsError('labelSmoothing applies to cross-entropy (language models and classification)', { path: '/labelSmoothing' });
  if (o.bptt) {
    if (task && task !== 'language-model') {
      throw new StageOptionsError(`truncated BPTT splits long sequences whose every step has a target; a ${task} model takes its loss at the end of each sequence`, {
        path: '/bptt',
        hint: 'remove bptt (full BPTT) or shorten the sequences',
      });
    }
    if (o.bptt.stepsBackward !== undefined && o.bptt.stepsBackward < o.bptt.stepsPerUpdate) {
      throw new StageOptionsError('stepsBackward must be at least stepsPerUpdate: the gradient must reach every step whose loss an update takes', {
        path: '/bptt/stepsBackward',
        expected: `>= ${o.bptt.stepsPerUpdate}`,
        found: String(o.bptt.stepsBackward),
      });
    }
  }
  for (const [monitor, at] of [[o.earlyStopping?.monitor, '/earlyStopping/monitor'], [o.schedule?.kind === 'plateau' ? o.schedule.monitor : undefined, '/schedule/monitor']] as const) {
    if (monitor === undefined || !task || TASK_METRICS[task].includes(monitor)) continue;
    const metrics = TASK_METRICS[task];
    throw new StageOptionsError(`'${monitor}' is not measured for a ${task} model`, {
      path: at,
      expected: `a metric the evaluation reports for it: ${metrics.map((m) => `'${m}'`).join(', ')}`,
      found: `'${monitor}'`,
      hint: `watch one of them (errors are lowered, ${HIGHER_IS_BETTER.join(', ')} raised)`,
    });
  }
}

/** The validation metrics the training's own pass measures (means over batches); the others need the evaluation each epoch. */
function perBatchMetrics(task: string): string[] {
  return task === 'classification' ? ['loss', 'accuracy'] : ['loss'];
}

/** `train`: trains the model (BPTT, full or truncated) with validation, early stopping and checkpoints. */
export const trainStage = defineStage<TrainStageOptions>({
  name: 'train',
  plugin: 'pipeline',
  category: 'train',
  summary: 'Trains the model: loss, optimizer, learning-rate schedule, gradient clipping, full or truncated BPTT, epochs, early stopping and checkpoints.',
  description:
    'Every epoch trains on the (reshuffled) training batches, then measures the validation split. Each training event (step, epoch, checkpoint, early stop) is written to metrics.jsonl. Checkpoints go to the run folder (checkpoints/), for `loopflow run --resume`.',
  input: ['model'],
  output: 'trained-model',
  schema: {
    type: 'object',
    required: ['epochs'],
    properties: {
      epochs: { type: 'integer', minimum: 1, maximum: 1000000, description: 'Passes over the training split.' },
      loss: { enum: ['cross-entropy', 'mse', 'mae', 'huber'], description: "Default: 'cross-entropy' (language models, classification), 'mse' (forecasting)." },
      huberDelta: { type: 'number', exclusiveMinimum: 0, default: 1, description: "Where loss 'huber' turns from quadratic to linear." },
      labelSmoothing: { type: 'number', minimum: 0, maximum: 1, default: 0, description: "Share of each target's probability spread evenly over all classes (cross-entropy only; PyTorch's label_smoothing)." },
      optimizer: OPTIMIZER_SCHEMA,
      schedule: SCHEDULE_SCHEMA,
      clipGradNorm: { type: 'number', exclusiveMinimum: 0, description: "Clip the gradients' global L2 norm to this before every step (exploding gradients)." },
      clipGradValue: { type: 'number', exclusiveMinimum: 0, description: 'Clamp every gradient element into [-v, v].' },
      bptt: {
        type: 'object',
        description: 'Truncated BPTT (language models): an update every stepsPerUpdate steps, the gradient reaching back stepsBackward steps. Absent: full BPTT.',
        additionalProperties: false,
        required: ['stepsPerUpdate'],
        properties: {
          stepsPerUpdate: { type: 'integer', minimum: 1, description: 'k1: steps whose loss each update takes.' },
          stepsBackward: { type: 'integer', minimum: 1, description: 'k2 >= k1: steps the gradient flows back (default k1).' },
        },
      },
      earlyStopping: {
        type: 'object',
        description: 'Stop when the validation metric has not improved for `patience` epochs.',
        additionalProperties: false,
        required: ['patience'],
        properties: {
          patience: { type: 'integer', minimum: 1, description: 'Epochs without improvement of the monitored metric before training stops.' },
          minDelta: { type: 'number', minimum: 0, default: 0, description: 'The least change that counts as an improvement.' },
          monitor: {
            enum: [...ALL_METRICS],
            default: 'loss',
            description:
              "The validation metric watched: any the evaluation reports for the task: 'loss', 'perplexity', 'bitsPerCharacter' (char tokenizer) or 'bitsPerToken' (language models); 'loss', 'accuracy', 'precision', 'recall', 'f1' (classification); 'loss', 'rmse', 'mae' in the original units (forecasting). Lower is better for losses and errors, higher for accuracy, precision, recall and f1. Metrics other than loss and accuracy are measured by evaluating the validation split after each epoch.",
          },
          restoreBest: { type: 'boolean', default: true, description: 'End with the weights of the best epoch.' },
        },
      },
      checkpoint: {
        description: 'When to write checkpoints into the run folder (default: every epoch, keep 1); false: none.',
        anyOf: [
          { const: false },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              every: { anyOf: [{ const: 'epoch' }, { type: 'integer', minimum: 1 }], default: 'epoch', description: "'epoch', or every N optimizer steps." },
              keep: { type: 'integer', minimum: 1, default: 1, description: 'How many of the newest checkpoints stay (older ones are removed).' },
            },
          },
        ],
      },
      validate: { type: 'boolean', default: true, description: 'Measure the validation split after every epoch (when it is not empty).' },
    },
  },
  example: { stage: 'train', epochs: 20, optimizer: { kind: 'adam', lr: 0.003 }, clipGradNorm: 1, earlyStopping: { patience: 3 } },
  create: (o, ctx): OperatorFunction<ModelBundle, TrainedBundle> => {
    checkOptions(o, ctx);
    return (source) => source.pipe(concatMap((bundle) => trainBundle(bundle, o, ctx)));
  },
});

function trainBundle(bundle: ModelBundle, o: TrainStageOptions, ctx: StageContext): Observable<TrainedBundle> {
  return new Observable<TrainedBundle>((subscriber) => {
    const { data, model } = bundle;
    const task = data.task;
    const params = parameters(model.modules);
    const optimizer = makeOptimizer(o.optimizer, params);
    const batchesPerEpoch = data.batchCount('train');
    const stepsPerUpdate = o.bptt?.stepsPerUpdate;
    const longest = longestInput(data.samples.train);
    const updatesPerBatch = stepsPerUpdate ? Math.ceil(longest / stepsPerUpdate) : 1;
    const scheduleEvery = o.schedule && o.schedule.kind !== 'plateau' ? (o.schedule.every ?? 'epoch') : 'epoch';
    const totalSteps = scheduleEvery === 'step' ? o.epochs * batchesPerEpoch * updatesPerBatch : o.epochs;
    const validate = (o.validate ?? true) && data.samples.validation.length > 0;
    const lossOptions = { loss: o.loss, huberDelta: o.huberDelta, labelSmoothing: o.labelSmoothing };
    if (!validate && o.earlyStopping) ctx.emit({ type: 'log', message: 'early stopping watches the training loss: the validation split is empty' });

    const forward: ForwardFn<object, Batch, unknown> = (_modules, batch, state, fctx) => {
      const { output, state: next } = model.forward(batch, state, { training: fctx.training, rng: fctx.rng });
      const loss = taskLoss(task, output, batch, lossOptions);
      return { loss, state: next, count: taskCount(task, batch), ...(fctx.training ? {} : { metrics: batchMetrics(task, output, batch) }) };
    };
    const monitor = o.earlyStopping?.monitor ?? 'loss';
    // a monitored metric the training's validation pass does not measure (rmse, f1, perplexity...): the evaluation's, each epoch
    const watched = [o.earlyStopping ? monitor : undefined, o.schedule?.kind === 'plateau' ? (o.schedule.monitor ?? 'loss') : undefined].filter((m): m is string => m !== undefined);
    const bits = data.artifacts.tokenizer?.kind === 'char' ? 'bitsPerCharacter' : 'bitsPerToken';
    const wrongBits = watched.find((m) => m.startsWith('bitsPer') && m !== bits);
    if (wrongBits) {
      subscriber.error(new StageOptionsError(`train: the monitored '${wrongBits}' is not measured with this tokenizer; the evaluation reports '${bits}'`, { path: ctx.path, expected: `'${bits}'`, found: `'${wrongBits}'`, hint: `monitor '${bits}'` }));
      return;
    }
    const evaluateEachEpoch = validate && watched.some((m) => !perBatchMetrics(task).includes(m));
    const options: TrainOptions<object, Batch, unknown> = {
      model: model.modules,
      forward,
      optimizer,
      ...(o.schedule
        ? { schedule: { scheduler: makeScheduler(o.schedule, optimizer, totalSteps), every: scheduleEvery, ...(o.schedule.kind === 'plateau' ? { monitor: o.schedule.monitor ?? 'loss' } : {}) } }
        : {}),
      ...(o.clipGradNorm !== undefined ? { clipGradNorm: o.clipGradNorm } : {}),
      ...(o.clipGradValue !== undefined ? { clipGradValue: o.clipGradValue } : {}),
      ...(o.bptt ? { bptt: { stepsPerUpdate: o.bptt.stepsPerUpdate, stepsBackward: o.bptt.stepsBackward, slicer: batchSlicer } } : {}),
      // pulled one batch at a time (an Observable of them would be read whole before the first step)
      trainBatches: ({ epoch }) => data.batchIterable('train', epoch),
      ...(validate ? { validBatches: () => data.batchIterable('validation') } : {}),
      ...(evaluateEachEpoch ? { validMetrics: () => evaluateSplit({ data, model }, 'validation', lossOptions)?.metrics ?? {} } : {}),
      epochs: o.epochs,
      ...(o.earlyStopping
        ? {
            earlyStopping: {
              patience: o.earlyStopping.patience,
              minDelta: o.earlyStopping.minDelta,
              monitor: validate ? monitor : undefined,
              mode: metricMode(monitor),
              restoreBest: o.earlyStopping.restoreBest ?? true,
            },
          }
        : {}),
      ...(ctx.runDir && o.checkpoint !== false ? { checkpoint: { dir: filePaths().join(ctx.runDir, 'checkpoints'), every: o.checkpoint?.every, keep: o.checkpoint?.keep } } : {}),
      seed: ctx.seed,
      ...(ctx.resumeFrom ? { resumeFrom: ctx.resumeFrom } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
    const configuredLr = optimizer.lr;
    ctx.emit({ type: 'train-start', epochs: o.epochs, batchesPerEpoch, updatesPerBatch, parameters: params.reduce((n, p) => n + p.size, 0) });
    const started = Date.now();
    const history: EpochEvent[] = [];
    let stoppedEarly = false;
    const subscription = train(options).subscribe({
      next: (event) => {
        if (event.type === 'epoch') history.push(event);
        if (event.type === 'early-stop') stoppedEarly = true;
        ctx.emit(event);
        if (event.type === 'resume') {
          for (const skipped of event.skipped ?? []) ctx.emit({ type: 'log', message: `passed over the damaged checkpoint ${skipped.path}: ${skipped.reason}` });
          // the definition's learning rate replaces the checkpoint's (so a run that diverged can continue with a lower one)
          if (!o.schedule && optimizer.lr !== configuredLr) {
            ctx.emit({ type: 'log', message: `resumed with the definition's learning rate ${configuredLr} (the checkpoint's was ${optimizer.lr})` });
            optimizer.lr = configuredLr;
          }
        }
        if (event.type === 'done') {
          subscriber.next({ ...bundle, training: { epochs: event.epochs, steps: event.steps, best: event.best, stoppedEarly, history, optimizer, loss: lossOptions, ms: Date.now() - started } });
        }
      },
      error: (e) => subscriber.error(withRunHint(e, o, ctx)),
      complete: () => subscriber.complete(),
    });
    return () => subscription.unsubscribe();
  });
}

/**
 * The training loop's message for a bad step (NaN, Infinity, divergence), with what to do in
 * the terms of a pipeline run: the train stage's options and `loopflow run --resume`.
 */
function withRunHint(error: unknown, o: TrainStageOptions, ctx: StageContext): unknown {
  if (!(error instanceof TrainError) || !['NONFINITE_LOSS', 'NONFINITE_GRADIENT', 'DIVERGED'].includes(error.code)) return error;
  const last = error.details?.lastCheckpoint;
  // the run folder holding that checkpoint (<run folder>/checkpoints/<checkpoint>): this run's, or the one it resumed from
  const folder = last ? filePaths().dirname(filePaths().dirname(last)) : (ctx.runDir ?? '<run folder>');
  const hint = !last
    ? o.checkpoint === false
      ? 'Checkpoints are off (checkpoint: false), so the run starts over: change the train stage (optimizer.lr, clipGradNorm) and run the definition again.'
      : 'No checkpoint was written before it (the train stage writes one after every epoch, or every N steps with checkpoint: { every: N }): change the train stage (optimizer.lr, clipGradNorm) and run the definition again.'
    : o.schedule
      ? `To continue from that checkpoint: loopflow run <definition> --resume ${folder} --out ${filePaths().dirname(folder)} (it keeps the checkpoint's learning-rate schedule; to train with a lower optimizer.lr, run the definition again).`
      : `To continue from that checkpoint with a lower learning rate: lower optimizer.lr in the train stage and run loopflow run <definition> --resume ${folder} --out ${filePaths().dirname(folder)} (the definition's learning rate replaces the checkpoint's).`;
  const wrapped = new TrainError(error.code, `${error.message}. ${hint}`, { ...(error.details ? { details: error.details } : {}), cause: error });
  return wrapped;
}
