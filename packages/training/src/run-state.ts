import { Random, Tensor } from '@loopflow/tensor';
import { loadStateDict, namedParameters, stateDict } from '@loopflow/layers';
import type { Optimizer, OptimizerStateDict } from '@loopflow/optimizers';
import { decodeCarried, encodeCarried } from './carried-state';
import { CheckpointFs } from './checkpoint-fs';
import { OPTIMIZER_FILE_FORMAT, ParameterDescription } from './checkpoint-format';
import { SkippedCheckpoint, checkSameModel, readNewestIntactCheckpoint } from './checkpoint-read';
import { upgradeCheckpoint } from './legacy-checkpoint';
import { pruneCheckpoints, writeCheckpoint } from './checkpoint-write';
import { TrainError, messageOf } from './errors';
import { ModelGenerator, isRandomState, restoreGenerator } from './generators';
import { Monitor } from './monitor';
import type { TrainScheduler } from './types';

/** The objects of a run that a checkpoint saves and restores. */
export interface RunParts {
  model: object;
  optimizer: Optimizer;
  scheduler: TrainScheduler | null;
  monitor: Monitor | null;
  /** The generator the forward gets as `ctx.rng`. */
  forwardRng: Random;
  generators: ModelGenerator[];
  seed: string;
}

/** Where a run is: counters, accumulators, the carried state and the best weights. */
export interface RunState<S> {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** Batches of epoch `epoch + 1` trained so far. */
  batchInEpoch: number;
  epochLoss: { sum: number; weight: number };
  /** The state carried into the next batch (resetState 'epoch'), else undefined. */
  carried: S | undefined;
  /** Copies of the best epoch's weights (early stopping with restoreBest). */
  bestWeights: Record<string, Tensor> | null;
  /** The last checkpoint committed or resumed from. */
  lastCheckpoint: string | null;
  /** The step of the last checkpoint written by this run. */
  lastCheckpointStep: number | null;
  /** The loss of the run's first step (divergence is measured against it); null before it. */
  startLoss: number | null;
}

/** The model description saved in trainer.json and checked on resume. */
export function describeModel(model: object, generators: readonly ModelGenerator[]): { parameters: ParameterDescription[]; generators: string[] } {
  return {
    parameters: namedParameters(model).map(([name, t]) => ({ name, shape: t.shape.slice(), dtype: t.dtype })),
    generators: generators.map((g) => g.path),
  };
}

/** Copies of the model's parameters (for the best weights). */
export function snapshotWeights(model: object): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(stateDict(model))) out[name] = t.clone();
  return out;
}

/** Writes a checkpoint of the run into `dir`, prunes old ones, and returns its folder. */
export function saveRun<S>(parts: RunParts, state: RunState<S>, dir: string, fs: CheckpointFs, keep: number): string {
  const models: Record<string, ReturnType<Random['state']>> = {};
  for (const g of parts.generators) models[g.path] = g.rng.state();
  const midEpoch = state.batchInEpoch > 0;
  const data = {
    trainer: {
      seed: parts.seed,
      epoch: state.epoch,
      step: state.step,
      batchInEpoch: state.batchInEpoch,
      epochLoss: midEpoch ? { ...state.epochLoss } : { sum: 0, weight: 0 },
      model: describeModel(parts.model, parts.generators),
      rng: { forward: parts.forwardRng.state(), model: models },
      monitor: parts.monitor ? parts.monitor.state() : null,
      carriedState: midEpoch ? encodeCarried(state.carried, 'state') : null,
      startLoss: state.startLoss,
    },
    model: stateDict(parts.model),
    optimizer: { format: OPTIMIZER_FILE_FORMAT, optimizer: parts.optimizer.stateDict(), scheduler: parts.scheduler ? parts.scheduler.stateDict() : null } as const,
    best: state.bestWeights,
  };
  let path: string;
  try {
    path = writeCheckpoint(fs, dir, data);
    pruneCheckpoints(fs, dir, keep, path);
  } catch (e) {
    if (e instanceof TrainError) throw e;
    throw new TrainError('CHECKPOINT_WRITE', `train: writing a checkpoint into '${dir}' failed (${messageOf(e)}); the previous checkpoint (${state.lastCheckpoint ?? 'none written'}) is intact. Check the folder's permissions and free space`, { cause: e });
  }
  return path;
}

function mismatch(path: string, what: string, cause: unknown): never {
  throw new TrainError('CHECKPOINT_MISMATCH', `checkpoint '${path}': ${what} (${messageOf(cause)}); resume with the same optimizer and schedule the run was started with`, { cause });
}

/**
 * Restores a run from a checkpoint: verifies it (files, checksums, model description) before
 * touching anything, then restores the optimizer and scheduler states, the monitor, every
 * generator, the counters and the carried state, and last the model's weights.
 * `from` may be a checkpoints folder: its newest intact checkpoint is used, and the damaged
 * newer ones are returned in `skipped`. Returns the checkpoint folder used.
 */
export function restoreRun<S>(parts: RunParts, state: RunState<S>, from: string, fs: CheckpointFs): { path: string; skipped: SkippedCheckpoint[] } {
  const read = readNewestIntactCheckpoint(from, { fs });
  const current = describeModel(parts.model, parts.generators);
  const ckpt = upgradeCheckpoint(read.checkpoint, current); // written before attention's PyTorch layout: today's names
  const skipped = read.skipped;
  checkSameModel(ckpt, current);
  const t = ckpt.trainer;
  const path = ckpt.path;
  if (t.seed !== parts.seed) {
    throw new TrainError('CHECKPOINT_MISMATCH', `checkpoint '${path}' was written by a run with seed '${t.seed}' but this run has seed '${parts.seed}'; pass seed: ${JSON.stringify(t.seed)} to resume it exactly`);
  }
  if (!isRandomState(t.rng.forward) || parts.generators.some((g) => !isRandomState(t.rng.model?.[g.path]))) {
    throw new TrainError('CHECKPOINT_INVALID', `checkpoint '${path}': trainer.json lacks a valid generator state; the file is damaged`);
  }
  const savedScheduler = ckpt.optimizer.scheduler;
  if ((savedScheduler === null) !== (parts.scheduler === null)) {
    throw new TrainError('CHECKPOINT_MISMATCH', `checkpoint '${path}' was written ${savedScheduler === null ? 'without' : 'with'} a learning-rate scheduler but this run has ${parts.scheduler === null ? 'none' : 'one'}; resume with the same schedule option`);
  }
  const carried = t.carriedState === null ? undefined : (decodeCarried(t.carriedState) as S);

  try {
    parts.optimizer.loadStateDict(ckpt.optimizer.optimizer as OptimizerStateDict);
  } catch (e) {
    mismatch(path, 'the optimizer state does not fit this optimizer', e);
  }
  if (parts.scheduler && savedScheduler !== null) {
    try {
      (parts.scheduler as { loadStateDict(s: unknown): void }).loadStateDict(savedScheduler);
    } catch (e) {
      mismatch(path, 'the scheduler state does not fit this scheduler', e);
    }
  }
  if (parts.monitor && t.monitor) parts.monitor.load(t.monitor, `checkpoint '${path}'`);
  restoreGenerator(parts.forwardRng, t.rng.forward, `checkpoint '${path}': the forward generator`);
  for (const g of parts.generators) restoreGenerator(g.rng, t.rng.model[g.path], `checkpoint '${path}': generator '${g.path}'`);

  state.epoch = t.epoch;
  state.step = t.step;
  state.batchInEpoch = t.batchInEpoch;
  state.epochLoss = { sum: t.epochLoss.sum, weight: t.epochLoss.weight };
  state.carried = carried;
  state.bestWeights = ckpt.best;
  state.lastCheckpoint = path;
  state.lastCheckpointStep = t.step;
  state.startLoss = typeof t.startLoss === 'number' ? t.startLoss : null;
  loadStateDict(parts.model, ckpt.model);
  return { path, skipped };
}
