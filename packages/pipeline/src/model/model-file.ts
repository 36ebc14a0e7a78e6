import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError, Random } from '@loopflow/tensor';
import { decodeSafetensors, loadStateDict, parameters, saveSafetensors, stateDict } from '@loopflow/layers';
import { Scaler, ScalerJSON, TokenizerConfig, Vocabulary, VocabularyJSON } from '@loopflow/data';
import type { Artifacts, SeriesLayout } from '../vocabulary/artifacts';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';
import { buildModel } from './builders';
import { writeFileAtomic } from '../run-folder/atomic';

/** The format tag of model.json. */
export const MODEL_FORMAT = 'loopflow.model/1';

/** model.json: the architecture and everything needed to feed the model and read its output. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  /** The definition's name. */
  name: string;
  architecture: ModelDescription;
  /** Trainable parameters. */
  parameters: number;
  /** The weights file beside it. */
  weights: string;
  /** SHA-256 of the weights file (hex), written at save and checked at load (absent in run folders from before it). */
  weightsSha256?: string;
  tokenizer?: TokenizerConfig;
  vocabulary?: VocabularyJSON;
  scaler?: ScalerJSON;
  labels?: string[];
  columns?: string[];
  series?: SeriesLayout;
}

/**
 * Writes a trained model into a run folder: `model.safetensors` (PyTorch-style names) and
 * `model.json` (architecture, vocabulary, scaler...), both atomically.
 */
export function saveModel(runDir: string, name: string, model: PipelineModel, artifacts: Artifacts): ModelFile {
  const file: ModelFile = {
    format: MODEL_FORMAT,
    name,
    architecture: model.description,
    parameters: parameters(model.modules).reduce((n, p) => n + p.size, 0),
    weights: 'model.safetensors',
    ...(artifacts.tokenizer ? { tokenizer: artifacts.tokenizer } : {}),
    ...(artifacts.vocabulary ? { vocabulary: artifacts.vocabulary.toJSON() } : {}),
    ...(artifacts.scaler ? { scaler: artifacts.scaler.toJSON() } : {}),
    ...(artifacts.labels ? { labels: artifacts.labels } : {}),
    ...(artifacts.columns ? { columns: artifacts.columns } : {}),
    ...(artifacts.series ? { series: artifacts.series } : {}),
  };
  const weights = path.join(runDir, file.weights);
  saveSafetensors(weights, stateDict(model.modules), { format: 'pt', loopflow: MODEL_FORMAT });
  file.weightsSha256 = sha256(fs.readFileSync(weights)); // of the bytes on disk
  writeFileAtomic(path.join(runDir, 'model.json'), JSON.stringify(file, null, 2) + '\n');
  return file;
}

/** A model loaded from a run folder, with the artifacts to feed it. */
export interface LoadedModel {
  file: ModelFile;
  model: PipelineModel;
  artifacts: Artifacts;
}

/** The SHA-256 of bytes, in hex. */
export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Reads a file of a run folder, as `RUN_INVALID` naming it when it is missing, a folder, or unreadable. */
function readRunFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'is missing' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? (e as Error).message})`;
    throw new LoopflowError('RUN_INVALID', `${file} (${what}) ${found}; the run folder is incomplete or damaged: run the definition again, or resume it from its checkpoints`);
  }
}

/**
 * Loads the model of a run folder: builds the architecture of model.json (resolved only
 * through the known model families) and loads model.safetensors into it. Refused with a
 * code: a missing or unreadable file (`RUN_INVALID`), weights whose SHA-256 differs from the
 * one model.json recorded at save (`MODEL_CHECKSUM`), weights holding NaN or infinities
 * (`MODEL_NOT_FINITE`: the training diverged).
 *
 * @example const { model, artifacts } = loadModel('runs/names-20250101-120000');
 */
export function loadModel(runDir: string): LoadedModel {
  const jsonPath = path.join(runDir, 'model.json');
  if (!fs.existsSync(jsonPath)) {
    throw new LoopflowError('RUN_INVALID', `${runDir}: no model.json; the run did not finish training (see summary.json), or this is not a run folder`);
  }
  let file: ModelFile;
  try {
    file = JSON.parse(readRunFile(jsonPath, 'the model description').toString('utf8')) as ModelFile;
  } catch (e) {
    if (e instanceof LoopflowError) throw e;
    throw new LoopflowError('RUN_INVALID', `${jsonPath} is not valid JSON (${(e as Error).message}); the run folder is damaged: run the definition again`);
  }
  if (file?.format !== MODEL_FORMAT) throw new LoopflowError('RUN_INVALID', `${jsonPath}: format ${JSON.stringify(file?.format)}; expected '${MODEL_FORMAT}'`);
  const model = buildModel(file.architecture, new Random(0));
  const weights = path.join(runDir, path.basename(String(file.weights)));
  const bytes = readRunFile(weights, 'the model weights');
  if (file.weightsSha256 !== undefined) {
    const found = sha256(bytes);
    if (found !== file.weightsSha256) {
      throw new LoopflowError('MODEL_CHECKSUM', `${weights}: SHA-256 ${found} differs from ${file.weightsSha256}, written in model.json when the model was saved; the weights were changed or damaged since: run the definition again, or resume it from its checkpoints`);
    }
  }
  const { tensors } = decodeSafetensors(bytes, { source: weights });
  for (const [name, t] of Object.entries(tensors)) {
    const data = t.data;
    let bad = 0;
    let first = -1;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        bad += 1;
        if (first < 0) first = i;
      }
    }
    if (bad > 0) {
      throw new LoopflowError('MODEL_NOT_FINITE', `${weights}: tensor '${name}' holds ${bad} non-finite value${bad === 1 ? '' : 's'} (the first, ${data[first]}, at index ${first}); the training diverged: retrain with a lower learning rate or gradient clipping, or resume from an earlier checkpoint`);
    }
  }
  loadStateDict(model.modules, tensors);
  const artifacts: Artifacts = {
    ...(file.tokenizer ? { tokenizer: file.tokenizer } : {}),
    ...(file.vocabulary ? { vocabulary: Vocabulary.fromJSON(file.vocabulary) } : {}),
    ...(file.scaler ? { scaler: Scaler.fromJSON(file.scaler) } : {}),
    ...(file.labels ? { labels: file.labels } : {}),
    ...(file.columns ? { columns: file.columns } : {}),
    ...(file.series ? { series: file.series } : {}),
  };
  return { file, model, artifacts };
}
