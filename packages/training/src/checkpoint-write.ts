import type { Tensor } from '@loopflow/tensor';
import { encodeSafetensors } from '@loopflow/layers';
import { CheckpointFs, fsyncDir, joinPath, writeFileAtomic } from './checkpoint-fs';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, FileRecord, OptimizerFile, TrainerFile, sha256 } from './checkpoint-format';
import { listCheckpoints } from './checkpoint-read';

/** What a checkpoint holds, before the files are written. */
export interface CheckpointData {
  /** `trainer.json` without the fields the writer fills (format, time, file checksums). */
  trainer: Omit<TrainerFile, 'format' | 'savedAt' | 'savedAtMs' | 'files'>;
  /** The parameters under their PyTorch names (`stateDict(model)`). */
  model: Record<string, Tensor>;
  optimizer: OptimizerFile;
  /** The best epoch's weights (early stopping with restoreBest), or null. */
  best: Record<string, Tensor> | null;
}

/** The name of the checkpoint folder: `epoch-0003` at an epoch end, `epoch-0003-step-00000120` inside epoch 3. */
export function checkpointName(trainer: Pick<TrainerFile, 'epoch' | 'step' | 'batchInEpoch'>): string {
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  if (trainer.batchInEpoch === 0) return `epoch-${pad(trainer.epoch, 4)}`;
  return `epoch-${pad(trainer.epoch + 1, 4)}-step-${pad(trainer.step, 8)}`;
}

const NAME_PATTERN = /^epoch-\d{4,}(-step-\d{8,})?$/;

/**
 * Removes a checkpoint folder, un-committing it first (its trainer.json goes before the other
 * files), so a crash half-way never leaves a committed but torn checkpoint.
 */
export function removeCheckpoint(fs: CheckpointFs, dir: string): void {
  const trainer = joinPath(dir, CHECKPOINT_FILES.trainer);
  if (fs.existsSync(trainer)) {
    fs.unlinkSync(trainer);
    fsyncDir(fs, dir);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes a checkpoint folder `root/<name>` atomically: model.safetensors, optimizer.json (and
 * best.safetensors) each go to a temporary name, are flushed to disk and renamed; then
 * trainer.json, holding the size and SHA-256 of each, is written the same way. Its rename is
 * the commit point: a run killed before it leaves an uncommitted folder that resume ignores
 * (the previous checkpoint stays the newest), a run killed after it leaves the new
 * checkpoint. A stale folder of the same name (from an abandoned run) is removed first.
 * Returns the folder.
 */
export function writeCheckpoint(fs: CheckpointFs, root: string, data: CheckpointData): string {
  const dir = joinPath(root, checkpointName(data.trainer));
  fs.mkdirSync(root, { recursive: true });
  if (fs.existsSync(dir)) removeCheckpoint(fs, dir);
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, FileRecord> = {};
  const put = (file: string, bytes: Uint8Array): void => {
    writeFileAtomic(fs, joinPath(dir, file), bytes);
    files[file] = { bytes: bytes.length, sha256: sha256(bytes) };
  };
  const encoder = new TextEncoder();
  put(CHECKPOINT_FILES.model, encodeSafetensors(data.model, { format: 'pt' }));
  put(CHECKPOINT_FILES.optimizer, encoder.encode(JSON.stringify(data.optimizer)));
  if (data.best) put(CHECKPOINT_FILES.best, encodeSafetensors(data.best, { format: 'pt' }));
  fsyncDir(fs, dir); // the renamed files are durable before the commit
  const now = Date.now();
  const trainer: TrainerFile = { format: CHECKPOINT_FORMAT, savedAt: new Date(now).toISOString(), savedAtMs: now, ...data.trainer, files };
  writeFileAtomic(fs, joinPath(dir, CHECKPOINT_FILES.trainer), encoder.encode(JSON.stringify(trainer, null, 1)));
  fsyncDir(fs, dir);
  fsyncDir(fs, root);
  return dir;
}

/**
 * Keeps the newest `keep` committed checkpoints of `root` (and `protect`), removing older
 * ones and uncommitted folders left by a crash. Only folders named like checkpoints
 * (`epoch-NNNN[-step-NNNNNNNN]`) are touched.
 */
export function pruneCheckpoints(fs: CheckpointFs, root: string, keep: number, protect: string): void {
  const committed = listCheckpoints(fs, root);
  const keepPaths = new Set(committed.slice(Math.max(0, committed.length - keep)).map((c) => c.path));
  keepPaths.add(protect);
  for (const entry of fs.readdirSync(root)) {
    if (!NAME_PATTERN.test(entry)) continue;
    const path = joinPath(root, entry);
    if (!keepPaths.has(path)) removeCheckpoint(fs, path);
  }
}
