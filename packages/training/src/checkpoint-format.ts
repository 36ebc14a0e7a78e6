import { nodeModule } from '@loopflow/tensor';
import type { DType, RandomState } from '@loopflow/tensor';
import { TrainError } from './errors';
import type { OptimizerStateDict } from '@loopflow/optimizers';
import type { EncodedValue } from './carried-state';
import type { MonitorState } from './monitor';

/** The format tag of `trainer.json`; a file without it is not a loopflow checkpoint. */
export const CHECKPOINT_FORMAT = 'loopflow.checkpoint/1';

/** The format tag of `optimizer.json`. */
export const OPTIMIZER_FILE_FORMAT = 'loopflow.optimizer-checkpoint/1';

/** The files of a checkpoint folder. `trainer.json` is written last: its rename commits the checkpoint. */
export const CHECKPOINT_FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.json',
  best: 'best.safetensors',
  trainer: 'trainer.json',
} as const;

/** One parameter of the model description: what a checkpoint can be loaded into. */
export interface ParameterDescription {
  name: string;
  shape: number[];
  dtype: DType;
}

/** Size and SHA-256 of a file of the checkpoint, checked before anything is loaded. */
export interface FileRecord {
  bytes: number;
  sha256: string;
}

/**
 * `trainer.json`: where the run was, every generator's position, the early-stopping counters,
 * the model description, and a checksum of every other file (so a torn set is detected).
 */
export interface TrainerFile {
  format: typeof CHECKPOINT_FORMAT;
  /** When it was written (ISO 8601 and milliseconds); the newest is the one to resume. */
  savedAt: string;
  savedAtMs: number;
  /** The run's seed (its batch generators derive from it). */
  seed: string;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** Batches of epoch `epoch + 1` already trained (0 at an epoch boundary). */
  batchInEpoch: number;
  /** The partial epoch's train-loss accumulator (zeros at an epoch boundary). */
  epochLoss: { sum: number; weight: number };
  /** The parameters (names as `namedParameters`, PyTorch's) and the paths of the model's generators. */
  model: { parameters: ParameterDescription[]; generators: string[] };
  /** Positions of the trainer's forward generator and of the model's generators (by path). */
  rng: { forward: RandomState; model: Record<string, RandomState> };
  /** The monitored metric's best value and early-stopping counters; null when nothing is monitored. */
  monitor: MonitorState | null;
  /** The state carried into the next batch (mid-epoch checkpoints with resetState 'epoch'), else null. */
  carriedState: EncodedValue;
  /** Every other file of the folder with its size and SHA-256. */
  files: Record<string, FileRecord>;
  /** The loss of the run's first step (the reference of divergence detection); absent in older checkpoints. */
  startLoss?: number | null;
}

/** `optimizer.json`: the optimizer's and the scheduler's state dicts. */
export interface OptimizerFile {
  format: typeof OPTIMIZER_FILE_FORMAT;
  optimizer: OptimizerStateDict;
  scheduler: unknown;
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array): string {
  const crypto = nodeModule('crypto');
  if (!crypto) throw new TrainError('CHECKPOINT_IO', 'checksums of checkpoint files need Node.js (its crypto module)');
  return crypto.createHash('sha256').update(bytes).digest('hex');
}
