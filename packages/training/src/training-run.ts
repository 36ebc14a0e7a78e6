import { Random, Tensor, noGrad } from '@loopflow/tensor';
import { loadStateDict, namedParameters, parameters, zeroGrad } from '@loopflow/layers';
import { PlateauScheduler, clipGradNorm, clipGradValue } from '@loopflow/optimizers';
import { ownSlicer, bpttWindows, windowSegments } from './bptt';
import { iterateBatches } from './batches';
import { detachCarried } from './carried-state';
import { CheckpointFs, nodeFs } from './checkpoint-fs';
import { TrainError } from './errors';
import { findGenerators } from './generators';
import { Monitor } from './monitor';
import { checkOptions, resolveOptimizer, resolveScheduler } from './options';
import { RunParts, RunState, restoreRun, saveRun, snapshotWeights } from './run-state';
import { WeightedLoss, checkForwardResult, combineLosses, gradientNorm } from './update';
import type { BestEpoch, ForwardContext, TimeChunk, TimeSlicer, TrainEvent, TrainOptions, ValidResults } from './types';

/** One forward call of an update: a batch (or a chunk of one) and whether its end is where the state is carried from. */
interface Piece<B> {
  batch: B;
  chunk?: TimeChunk;
  carry: boolean;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Lets timers, I/O and unsubscriptions run between steps. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

const modelsInTraining = new WeakSet<object>();

/** A step whose loss exceeds this many times the first step's fails the run as diverged (`divergence.factor`). */
export const DIVERGENCE_FACTOR = 1e4;

/**
 * One run of `train`: holds the model, optimizer, scheduler, monitor and generators, runs the
 * epochs and emits the events. `isClosed` is checked between steps: when it turns true the
 * run returns without further events.
 */
export class TrainingRun<M extends object, B, S> {
  private readonly o: TrainOptions<M, B, S>;
  private readonly params: Tensor[];
  private readonly paramNames: string[];
  private readonly parts: RunParts;
  private readonly customFs: CheckpointFs | null;
  private readonly slicer: TimeSlicer<B> | null;
  private readonly monitorKey: string;
  private readonly state: RunState<S> = {
    epoch: 0, step: 0, batchInEpoch: 0, epochLoss: { sum: 0, weight: 0 }, carried: undefined, bestWeights: null, lastCheckpoint: null, lastCheckpointStep: null, startLoss: null,
  };
  /** The loss of the last step (reported when the run is stopped on request). */
  private lastLoss = NaN;

  constructor(options: TrainOptions<M, B, S>, private readonly emit: (e: TrainEvent) => void, private readonly isClosed: () => boolean) {
    checkOptions(options);
    this.o = options;
    this.params = parameters(options.model);
    const names = new Map(namedParameters(options.model).map(([name, t]) => [t, name]));
    this.paramNames = this.params.map((p) => names.get(p) ?? '');
    if (this.params.length === 0) throw new TrainError('INVALID_ARGUMENT', 'train: the model has no parameters (no tensor with requiresGrad is reachable from it)');
    const optimizer = resolveOptimizer(options.optimizer as TrainOptions<object, unknown>['optimizer'], this.params);
    const es = options.earlyStopping;
    this.monitorKey = es?.monitor ?? (options.validBatches ? 'loss' : 'trainLoss');
    const monitor = es
      ? new Monitor({ monitor: this.monitorKey, mode: es.mode ?? 'min', minDelta: es.minDelta ?? 0, patience: es.patience })
      : options.validBatches
        ? new Monitor({ monitor: this.monitorKey, mode: 'min', minDelta: 0, patience: Infinity })
        : null;
    const seed = String(options.seed ?? 0);
    this.parts = {
      model: options.model,
      optimizer,
      scheduler: resolveScheduler(options.schedule, optimizer),
      monitor,
      forwardRng: new Random(`${seed}/forward`),
      generators: findGenerators(options.model),
      seed,
    };
    this.customFs = options.checkpoint?.fs ?? null;
    this.slicer = options.bptt ? options.bptt.slicer ?? ownSlicer<B>() : null;
  }

  /** Runs to the end (or until closed). Errors reject. */
  async run(): Promise<void> {
    const model = this.o.model;
    if (modelsInTraining.has(model)) {
      throw new TrainError('ALREADY_TRAINING', 'train: this model is already being trained by another subscription; wait for it to end (or unsubscribe it) before starting another run on the same model');
    }
    modelsInTraining.add(model);
    try {
      await this.runEpochs();
    } finally {
      modelsInTraining.delete(model);
    }
  }

  private async runEpochs(): Promise<void> {
    const s = this.state;
    if (this.o.resumeFrom) {
      const { path, skipped } = restoreRun(this.parts, s, this.o.resumeFrom, this.customFs ?? nodeFs());
      this.emit({ type: 'resume', epoch: s.epoch, step: s.step, path, ...(skipped.length > 0 ? { skipped } : {}) });
    }
    let stopped = this.parts.monitor?.state().stopped ?? false;
    for (let epoch = s.epoch + 1; epoch <= this.o.epochs && !stopped; epoch++) {
      if (this.o.signal?.aborted) this.interrupt(epoch);
      const started = now();
      if (!(await this.trainEpoch(epoch))) return;
      const valid = this.o.validBatches ? await this.validate(epoch) : undefined;
      if (this.isClosed()) return;
      const trainLoss = s.epochLoss.sum / s.epochLoss.weight;
      stopped = this.endEpoch(epoch, trainLoss, valid);
      s.epoch = epoch;
      s.batchInEpoch = 0;
      s.epochLoss = { sum: 0, weight: 0 };
      if (this.o.resetState === 'epoch') s.carried = undefined;
      this.emit({ type: 'epoch', epoch, trainLoss, ...(valid ? { valid } : {}), lr: this.parts.optimizer.lr, ms: now() - started });
      if (this.o.checkpoint && (this.o.checkpoint.every ?? 'epoch') === 'epoch') this.checkpoint();
      if (stopped) {
        const m = this.parts.monitor!.state();
        this.emit({ type: 'early-stop', epoch, bestEpoch: m.bestEpoch ?? epoch, best: m.best ?? NaN });
      }
    }
    if (this.o.checkpoint && typeof this.o.checkpoint.every === 'number' && s.lastCheckpointStep !== s.step) this.checkpoint();
    if (this.o.earlyStopping?.restoreBest && s.bestWeights) loadStateDict(this.o.model, s.bestWeights);
    const m = this.parts.monitor?.state();
    const best: BestEpoch | undefined = m && m.best !== null && m.bestEpoch !== null ? { epoch: m.bestEpoch, value: m.best, monitor: m.monitor } : undefined;
    this.emit({ type: 'done', epochs: s.epoch, steps: s.step, ...(best ? { best } : {}) });
  }

  /** Trains the batches of one epoch; false when the run was closed. */
  private async trainEpoch(epoch: number): Promise<boolean> {
    const s = this.state;
    const skip = s.batchInEpoch; // batches already trained (a run resumed mid-epoch)
    const source = this.o.trainBatches({ epoch, rng: new Random(`${this.parts.seed}/train/${epoch}`) });
    let index = 0;
    for await (const batch of iterateBatches(source, 'trainBatches')) {
      if (this.isClosed()) return false;
      if (index++ < skip) continue;
      let state = this.o.resetState === 'epoch' ? s.carried : undefined;
      if (this.slicer) {
        const slicer = this.slicer;
        const bptt = this.o.bptt!;
        for (const w of bpttWindows(slicer.length(batch), bptt.stepsPerUpdate, bptt.stepsBackward)) {
          const pieces = windowSegments(w).map((seg) => ({
            batch: slicer.slice(batch, seg.start, seg.end),
            chunk: { start: seg.start, end: seg.end, inLoss: seg.inLoss, update: w.index },
            carry: seg.end === w.carryAt,
          }));
          state = this.update(epoch, index - 1, pieces, state, w.carryAt === w.start);
          await yieldToEventLoop();
          if (this.isClosed()) return false;
        }
      } else {
        state = this.update(epoch, index - 1, [{ batch, carry: false }], state, false);
        await yieldToEventLoop();
        if (this.isClosed()) return false;
      }
      s.carried = this.o.resetState === 'epoch' ? state : undefined;
      s.batchInEpoch = index;
      const every = this.o.checkpoint?.every;
      if (typeof every === 'number' && Math.floor(s.step / every) > Math.floor((s.lastCheckpointStep ?? 0) / every)) this.checkpoint();
      if (this.o.signal?.aborted) this.interrupt(epoch);
    }
    if (index < skip) {
      throw new TrainError('CHECKPOINT_MISMATCH', `train: trainBatches gave ${index} batches for epoch ${epoch}, but the checkpoint resumed from (${s.lastCheckpoint}) was written after batch ${skip} of it; the batches must be the same as in the run that wrote it`);
    }
    if (index === 0 || s.epochLoss.weight === 0) {
      throw new TrainError('INVALID_ARGUMENT', `train: trainBatches gave no batches for epoch ${epoch} (or every loss counted 0); expected at least one batch per epoch`);
    }
    return true;
  }

  private context(epoch: number, step: number, training: boolean, chunk?: TimeChunk): ForwardContext {
    return chunk ? { training, rng: this.parts.forwardRng, epoch, step, chunk } : { training, rng: this.parts.forwardRng, epoch, step };
  }

  private detach(state: S | undefined): S | undefined {
    if (state === undefined) return undefined;
    return this.o.detachState ? this.o.detachState(state) : detachCarried(state);
  }

  /**
   * One optimizer step over the pieces of an update: forward each (carrying the state inside
   * the update with its history), take the loss, check it is finite, backward, clip, step.
   * Returns the state to carry on, detached.
   */
  private update(epoch: number, batch: number, pieces: Piece<B>[], incoming: S | undefined, carryIncoming: boolean): S | undefined {
    const started = now();
    const s = this.state;
    const step = s.step + 1;
    zeroGrad(this.o.model);
    let state = incoming;
    let next: S | undefined = carryIncoming ? incoming : undefined;
    let carried = carryIncoming;
    const parts: WeightedLoss[] = [];
    for (const piece of pieces) {
      const where = `epoch ${epoch}, step ${step}${piece.chunk ? `, steps ${piece.chunk.start}-${piece.chunk.end}` : ''}`;
      const result = checkForwardResult(this.o.forward(this.o.model, piece.batch, state, this.context(epoch, step, true, piece.chunk)), where);
      state = result.state;
      if (!piece.chunk || piece.chunk.inLoss) parts.push({ loss: result.loss, weight: result.count ?? (piece.chunk ? piece.chunk.end - piece.chunk.start : 1) });
      if (piece.carry) {
        next = this.detach(state);
        carried = true;
      }
    }
    if (!carried) next = this.detach(state);
    const { loss, weight } = combineLosses(parts);
    const value = loss.item();
    if (!Number.isFinite(value)) this.nonFinite('NONFINITE_LOSS', `the loss is ${value}`, epoch, step, batch, value);
    if (s.startLoss === null) s.startLoss = value;
    const factor = this.o.divergence === false ? Infinity : (this.o.divergence?.factor ?? DIVERGENCE_FACTOR);
    if (Math.abs(value) > factor * Math.max(Math.abs(s.startLoss), 1e-6)) {
      this.nonFinite('DIVERGED', `the run diverged: the loss is ${value.toPrecision(4)}, more than ${factor} times the first step's ${s.startLoss.toPrecision(4)}`, epoch, step, batch, value);
    }
    loss.backward();
    if (this.o.clipGradValue !== undefined) clipGradValue(this.params, this.o.clipGradValue);
    const gradNorm = this.o.clipGradNorm !== undefined ? clipGradNorm(this.params, this.o.clipGradNorm) : gradientNorm(this.params);
    if (!Number.isFinite(gradNorm)) this.nonFinite('NONFINITE_GRADIENT', `the loss is ${value} but the gradient norm is ${gradNorm}`, epoch, step, batch, gradNorm);
    const lr = this.parts.optimizer.lr;
    this.parts.optimizer.step();
    zeroGrad(this.o.model);
    const broken = this.nonFiniteParameter();
    if (broken) this.nonFinite('DIVERGED', `the run diverged: after the update ${broken} holds NaN or Infinity (the loss was ${value.toPrecision(4)}, the gradient norm ${gradNorm.toPrecision(4)})`, epoch, step, batch, value, true);
    s.step = step;
    this.lastLoss = value;
    if (this.parts.scheduler && this.o.schedule?.every === 'step') (this.parts.scheduler as { step(): number }).step();
    s.epochLoss.sum += value * weight;
    s.epochLoss.weight += weight;
    this.emit({ type: 'step', epoch, step, batch, loss: value, lr, gradNorm, ms: now() - started });
    return next;
  }

  /**
   * Stops the run on a bad step: the message names the epoch, the step, the batch and the last
   * good checkpoint (or "none written"); callers add how to resume in their own terms (the
   * pipeline: `loopflow run --resume <run folder>`; a library user: `resumeFrom`).
   */
  private nonFinite(code: 'NONFINITE_LOSS' | 'NONFINITE_GRADIENT' | 'DIVERGED', what: string, epoch: number, step: number, batch: number, value: number, updated = false): never {
    const last = this.state.lastCheckpoint;
    const checkpoint = last ? `the last good checkpoint is '${last}'` : 'the last good checkpoint: none written';
    const weights = updated ? 'the weights of this step are not kept in any checkpoint' : 'the run stopped before updating the weights with it';
    throw new TrainError(
      code,
      `train: ${what} at epoch ${epoch}, step ${step} (batch ${batch}); ${weights}; ${checkpoint}. Lower the learning rate, clip the gradients (clipGradNorm), or look for NaN / Infinity in the data`,
      { details: { epoch, step, batch, value, lastCheckpoint: last } },
    );
  }

  /** The name of the first parameter holding NaN or Infinity, or null. */
  private nonFiniteParameter(): string | null {
    for (let i = 0; i < this.params.length; i++) {
      const d = this.params[i].data;
      for (let j = 0; j < d.length; j++) {
        if (!Number.isFinite(d[j])) return this.paramNames[i] ?? `parameter ${i}`;
      }
    }
    return null;
  }

  /** Stops on request at a batch boundary: a checkpoint of where the run is (when checkpoints are on), then INTERRUPTED. */
  private interrupt(epoch: number): never {
    const s = this.state;
    if (this.o.checkpoint && s.lastCheckpointStep !== s.step) this.checkpoint();
    const where = s.batchInEpoch > 0 ? `in epoch ${epoch} after step ${s.step} (batch ${s.batchInEpoch} of the epoch)` : `after epoch ${epoch - 1} (step ${s.step})`;
    const checkpoint = s.lastCheckpoint ? `the checkpoint '${s.lastCheckpoint}' holds it` : this.o.checkpoint ? 'no checkpoint was written (no step was taken)' : 'no checkpoint was written (checkpoints are off)';
    throw new TrainError('INTERRUPTED', `train: stopped on request ${where}; ${checkpoint}`, {
      details: { epoch, step: s.step, batch: s.batchInEpoch, value: this.lastLoss, lastCheckpoint: s.lastCheckpoint },
    });
  }

  /** The validation pass: no gradients, `training: false`, whole batches; mean loss and metrics weighted by `count`. */
  private async validate(epoch: number): Promise<ValidResults> {
    const source = this.o.validBatches!({ epoch, rng: new Random(`${this.parts.seed}/valid/${epoch}`) });
    let state: S | undefined;
    let weight = 0;
    let loss = 0;
    const sums: Record<string, number> = {};
    for await (const batch of iterateBatches(source, 'validBatches')) {
      if (this.isClosed()) break;
      const where = `validation of epoch ${epoch}`;
      const result = checkForwardResult(noGrad(() => this.o.forward(this.o.model, batch, state, this.context(epoch, this.state.step, false))), where);
      const w = result.count ?? 1;
      weight += w;
      loss += result.loss.item() * w;
      for (const [k, v] of Object.entries(result.metrics ?? {})) sums[k] = (sums[k] ?? 0) + v * w;
      state = this.o.resetState === 'epoch' ? this.detach(result.state) : undefined;
    }
    if (this.isClosed()) return { loss: NaN };
    if (weight === 0) throw new TrainError('INVALID_ARGUMENT', `train: validBatches gave no batches for epoch ${epoch} (or every count was 0)`);
    const out: ValidResults = { loss: loss / weight };
    for (const [k, v] of Object.entries(sums)) if (k !== 'loss') out[k] = v / weight;
    if (this.o.validMetrics) {
      const extra = noGrad(() => this.o.validMetrics!({ epoch }));
      for (const [k, v] of Object.entries(extra)) if (!(k in out) && typeof v === 'number') out[k] = v;
    }
    return out;
  }

  /** The epoch's schedule step and monitor update; true when early stopping ends the run. */
  private endEpoch(epoch: number, trainLoss: number, valid: ValidResults | undefined): boolean {
    const { scheduler, monitor } = this.parts;
    const metric = (key: string, option: string): number => {
      if (!valid) return trainLoss;
      const v = valid[key];
      if (typeof v !== 'number') throw new TrainError('INVALID_ARGUMENT', `train: ${option} '${key}' is not among the validation results (${Object.keys(valid).join(', ')}); return it in the forward's metrics or monitor 'loss'`);
      return v;
    };
    if (scheduler && (this.o.schedule?.every ?? 'epoch') === 'epoch') {
      if (scheduler instanceof PlateauScheduler) scheduler.step(metric(this.o.schedule?.monitor ?? 'loss', 'schedule.monitor'));
      else scheduler.step();
    }
    if (!monitor) return false;
    const { improved, stop } = monitor.update(epoch, metric(this.monitorKey, 'earlyStopping.monitor'));
    if (improved && this.o.earlyStopping?.restoreBest) this.state.bestWeights = snapshotWeights(this.o.model);
    return stop;
  }

  private checkpoint(): void {
    const c = this.o.checkpoint!;
    const path = saveRun(this.parts, this.state, c.dir, this.customFs ?? nodeFs(), c.keep ?? 1);
    this.state.lastCheckpoint = path;
    this.state.lastCheckpointStep = this.state.step;
    this.emit({ type: 'checkpoint', epoch: this.state.epoch, step: this.state.step, path });
  }
}
