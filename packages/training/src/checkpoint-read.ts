import { Tensor, fmtShape } from '@loopflow/tensor';
import { decodeSafetensors } from '@loopflow/layers';
import { CheckpointFs, joinPath, nodeFs } from './checkpoint-fs';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT, OPTIMIZER_FILE_FORMAT, OptimizerFile, ParameterDescription, TrainerFile, sha256 } from './checkpoint-format';
import { TrainError, messageOf } from './errors';

/** A committed checkpoint found in a checkpoints folder. */
export interface CheckpointSummary {
  path: string;
  epoch: number;
  step: number;
  savedAtMs: number;
}

/** A checkpoint read and verified (checksums, formats), not yet loaded into anything. */
export interface LoadedCheckpoint {
  path: string;
  trainer: TrainerFile;
  /** The parameters by PyTorch name, in the dtype they were saved in. */
  model: Record<string, Tensor>;
  optimizer: OptimizerFile;
  /** The best epoch's weights, when saved. */
  best: Record<string, Tensor> | null;
}

function invalid(path: string, what: string): never {
  throw new TrainError('CHECKPOINT_INVALID', `checkpoint '${path}': ${what}`);
}

function parseJson(fs: CheckpointFs, file: string, path: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch (e) {
    return invalid(path, `cannot read ${file} (${messageOf(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    return invalid(path, `${file} is not valid JSON (${messageOf(e)}); the file is damaged or not a loopflow checkpoint`);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkTrainerFile(t: unknown, path: string): TrainerFile {
  const f = t as TrainerFile;
  if (typeof f !== 'object' || f === null || f.format !== CHECKPOINT_FORMAT) {
    const found = typeof f === 'object' && f !== null ? JSON.stringify(f.format) : typeof f;
    invalid(path, `trainer.json has format ${found}, expected '${CHECKPOINT_FORMAT}'; this is not a loopflow training checkpoint`);
  }
  const params = f.model?.parameters;
  const ok =
    isCount(f.epoch) && isCount(f.step) && isCount(f.batchInEpoch) && typeof f.seed === 'string' &&
    Array.isArray(params) && params.every((p) => typeof p?.name === 'string' && Array.isArray(p.shape) && p.shape.every(isCount)) &&
    Array.isArray(f.model.generators) && typeof f.rng === 'object' && f.rng !== null && typeof f.files === 'object' && f.files !== null &&
    typeof f.epochLoss?.sum === 'number' && typeof f.epochLoss?.weight === 'number';
  if (!ok) invalid(path, 'trainer.json lacks fields of the format or has values of the wrong type; the file is damaged');
  for (const required of [CHECKPOINT_FILES.model, CHECKPOINT_FILES.optimizer]) {
    if (!f.files[required]) invalid(path, `trainer.json lists no ${required}; the checkpoint is damaged`);
  }
  return f;
}

/** Reads `trainer.json` of a checkpoint folder (format checked, files not yet verified). */
export function readTrainerFile(fs: CheckpointFs, path: string): TrainerFile {
  return checkTrainerFile(parseJson(fs, joinPath(path, CHECKPOINT_FILES.trainer), path), path);
}

/**
 * The committed checkpoints of a checkpoints folder (subfolders whose trainer.json reads),
 * oldest first: by time written, then step.
 */
export function listCheckpoints(fs: CheckpointFs, root: string): CheckpointSummary[] {
  if (!fs.existsSync(root)) return [];
  const out: CheckpointSummary[] = [];
  for (const entry of fs.readdirSync(root)) {
    const path = joinPath(root, entry);
    if (!fs.existsSync(joinPath(path, CHECKPOINT_FILES.trainer))) continue;
    try {
      const t = readTrainerFile(fs, path);
      out.push({ path, epoch: t.epoch, step: t.step, savedAtMs: typeof t.savedAtMs === 'number' ? t.savedAtMs : 0 });
    } catch {
      /* not a readable checkpoint: not a candidate */
    }
  }
  return out.sort((a, b) => a.savedAtMs - b.savedAtMs || a.step - b.step);
}

/**
 * The checkpoint folder `path` names: `path` itself when it holds a trainer.json, else the
 * newest committed checkpoint inside it. Throws CHECKPOINT_INVALID for an incomplete folder
 * (naming the newest good one beside it) or a folder with no checkpoint.
 */
export function resolveCheckpoint(fs: CheckpointFs, path: string): string {
  if (fs.existsSync(joinPath(path, CHECKPOINT_FILES.trainer))) return path;
  if (!fs.existsSync(path)) invalid(path, 'no such folder; pass a checkpoint folder (holding trainer.json) or a checkpoints folder');
  const inside = listCheckpoints(fs, path);
  if (inside.length > 0) return inside[inside.length - 1].path;
  const hasFiles = [CHECKPOINT_FILES.model, CHECKPOINT_FILES.optimizer].some((f) => fs.existsSync(joinPath(path, f)) || fs.existsSync(joinPath(path, `${f}.tmp`)));
  if (hasFiles) {
    const parent = joinPath(path, '..');
    const siblings = listCheckpoints(fs, parent);
    const hint = siblings.length > 0 ? `resume from the previous one, '${siblings[siblings.length - 1].path}', or from '${parent}' (its newest committed checkpoint)` : 'no committed checkpoint is beside it';
    invalid(path, `has no trainer.json: it is incomplete (the run stopped while writing it; trainer.json is written last and commits a checkpoint); ${hint}`);
  }
  return invalid(path, 'holds no checkpoint (no trainer.json, and no subfolder with one)');
}

function verifiedBytes(fs: CheckpointFs, trainer: TrainerFile, path: string, file: string): Uint8Array {
  const record = trainer.files[file];
  if (!record || !isCount(record.bytes) || typeof record.sha256 !== 'string') invalid(path, `trainer.json has no valid record of ${file}`);
  const full = joinPath(path, file);
  if (!fs.existsSync(full)) invalid(path, `${file} is missing; the checkpoint is torn (trainer.json lists it)`);
  const bytes = fs.readFileSync(full);
  if (bytes.length !== record.bytes) {
    invalid(path, `${file} has ${bytes.length} bytes but trainer.json recorded ${record.bytes}; the file is truncated or was replaced (a torn checkpoint); resume from another checkpoint`);
  }
  if (sha256(bytes) !== record.sha256) {
    invalid(path, `${file} does not match its SHA-256 in trainer.json; the file is damaged or from another checkpoint (a torn set); resume from another checkpoint`);
  }
  return bytes;
}

function decodeTensors(bytes: Uint8Array, path: string, file: string, expected: ParameterDescription[]): Record<string, Tensor> {
  let tensors: Record<string, Tensor>;
  try {
    tensors = decodeSafetensors(bytes, { source: `${path}/${file}`, keepFloat64: true }).tensors;
  } catch (e) {
    return invalid(path, `${file} is not a valid safetensors file (${messageOf(e)})`);
  }
  const names = Object.keys(tensors).sort();
  const described = expected.map((p) => p.name).sort();
  if (names.join('\n') !== described.join('\n')) {
    invalid(path, `${file} holds tensors [${names.join(', ')}] but trainer.json describes [${described.join(', ')}]; the files are from different checkpoints`);
  }
  for (const p of expected) {
    if (fmtShape(tensors[p.name].shape) !== fmtShape(p.shape)) {
      invalid(path, `${file}: '${p.name}' has shape ${fmtShape(tensors[p.name].shape)} but trainer.json describes ${fmtShape(p.shape)}`);
    }
  }
  return tensors;
}

/**
 * Reads and verifies a checkpoint: `path` is a checkpoint folder or a checkpoints folder (its
 * newest committed checkpoint). Checks trainer.json's format, then the size and SHA-256 of
 * every file it lists, decodes the tensors and checks them against the model description.
 * Nothing is loaded into a model. Throws CHECKPOINT_INVALID saying what is wrong.
 *
 * @example
 * const ckpt = readCheckpoint('runs/a/checkpoints');
 * loadStateDict(model, ckpt.model);
 */
export function readCheckpoint(path: string, options: { fs?: CheckpointFs } = {}): LoadedCheckpoint {
  const fs = options.fs ?? nodeFs();
  const dir = resolveCheckpoint(fs, path);
  const trainer = readTrainerFile(fs, dir);
  const model = decodeTensors(verifiedBytes(fs, trainer, dir, CHECKPOINT_FILES.model), dir, CHECKPOINT_FILES.model, trainer.model.parameters);
  const optimizerBytes = verifiedBytes(fs, trainer, dir, CHECKPOINT_FILES.optimizer);
  let optimizer: OptimizerFile;
  try {
    optimizer = JSON.parse(new TextDecoder().decode(optimizerBytes)) as OptimizerFile;
  } catch (e) {
    return invalid(dir, `optimizer.json is not valid JSON (${messageOf(e)})`);
  }
  if (optimizer?.format !== OPTIMIZER_FILE_FORMAT || typeof optimizer.optimizer !== 'object') {
    invalid(dir, `optimizer.json has format ${JSON.stringify(optimizer?.format)}, expected '${OPTIMIZER_FILE_FORMAT}'`);
  }
  const best = trainer.files[CHECKPOINT_FILES.best]
    ? decodeTensors(verifiedBytes(fs, trainer, dir, CHECKPOINT_FILES.best), dir, CHECKPOINT_FILES.best, trainer.model.parameters)
    : null;
  return { path: dir, trainer, model, optimizer, best };
}

/** A checkpoint passed over on resume, and why. */
export interface SkippedCheckpoint {
  path: string;
  reason: string;
}

/**
 * Reads the checkpoint to resume from: `path` itself when it is a checkpoint folder (no
 * fallback: it was chosen), else the newest checkpoint of the checkpoints folder that verifies.
 * Newer ones that are damaged (trainer.json unreadable, a file truncated or not matching its
 * SHA-256) are passed over and returned in `skipped` with the reason, so the caller can say
 * so. Throws CHECKPOINT_INVALID when none is intact (naming each one and why).
 *
 * @example
 * const { checkpoint, skipped } = readNewestIntactCheckpoint('runs/a/checkpoints');
 */
export function readNewestIntactCheckpoint(path: string, options: { fs?: CheckpointFs } = {}): { checkpoint: LoadedCheckpoint; skipped: SkippedCheckpoint[] } {
  const fs = options.fs ?? nodeFs();
  if (fs.existsSync(joinPath(path, CHECKPOINT_FILES.trainer)) || !fs.existsSync(path)) return { checkpoint: readCheckpoint(path, { fs }), skipped: [] };
  const skipped: SkippedCheckpoint[] = [];
  const readable: CheckpointSummary[] = [];
  for (const entry of fs.readdirSync(path).sort()) {
    const dir = joinPath(path, entry);
    if (!fs.existsSync(joinPath(dir, CHECKPOINT_FILES.trainer))) continue;
    try {
      const t = readTrainerFile(fs, dir);
      readable.push({ path: dir, epoch: t.epoch, step: t.step, savedAtMs: typeof t.savedAtMs === 'number' ? t.savedAtMs : 0 });
    } catch (e) {
      skipped.push({ path: dir, reason: messageOf(e) });
    }
  }
  readable.sort((a, b) => b.savedAtMs - a.savedAtMs || b.step - a.step); // newest first
  for (const candidate of readable) {
    try {
      return { checkpoint: readCheckpoint(candidate.path, { fs }), skipped };
    } catch (e) {
      if (!(e instanceof TrainError) || e.code !== 'CHECKPOINT_INVALID') throw e;
      skipped.push({ path: candidate.path, reason: e.message });
    }
  }
  if (skipped.length === 0) return { checkpoint: readCheckpoint(path, { fs }), skipped }; // no checkpoint at all: its own message
  return invalid(path, `no intact checkpoint: ${skipped.map((s) => s.reason).join('; ')}`);
}

/**
 * Throws CHECKPOINT_FOREIGN unless the checkpoint's model description (parameter names and
 * shapes, generator paths) matches `current` (the model's); the message lists every difference.
 */
export function checkSameModel(checkpoint: LoadedCheckpoint, current: { parameters: ParameterDescription[]; generators: string[] }): void {
  const saved = checkpoint.trainer.model;
  const savedShapes = new Map(saved.parameters.map((p) => [p.name, fmtShape(p.shape)]));
  const currentShapes = new Map(current.parameters.map((p) => [p.name, fmtShape(p.shape)]));
  const problems: string[] = [];
  const missing = current.parameters.filter((p) => !savedShapes.has(p.name)).map((p) => p.name);
  const extra = saved.parameters.filter((p) => !currentShapes.has(p.name)).map((p) => p.name);
  if (missing.length > 0) problems.push(`the model has parameters the checkpoint lacks: ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`the checkpoint has parameters the model lacks: ${extra.join(', ')}`);
  for (const [name, shape] of currentShapes) {
    const s = savedShapes.get(name);
    if (s !== undefined && s !== shape) problems.push(`'${name}' is ${s} in the checkpoint but ${shape} in the model`);
  }
  const gensSaved = saved.generators.join(', ');
  const gensNow = current.generators.join(', ');
  if (gensSaved !== gensNow) problems.push(`the checkpoint saved generators at [${gensSaved}] but the model holds them at [${gensNow}]`);
  if (problems.length > 0) {
    throw new TrainError('CHECKPOINT_FOREIGN', `checkpoint '${checkpoint.path}' was written for another model: ${problems.join('; ')}. Build the model with the sizes it was trained with, or start a new run without resumeFrom`);
  }
}
