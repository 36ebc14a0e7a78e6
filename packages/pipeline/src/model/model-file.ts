import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError, Random } from '@loopflow/tensor';
import { loadSafetensors, loadStateDict, parameters, saveSafetensors, stateDict } from '@loopflow/layers';
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
  saveSafetensors(path.join(runDir, file.weights), stateDict(model.modules), { format: 'pt', loopflow: MODEL_FORMAT });
  writeFileAtomic(path.join(runDir, 'model.json'), JSON.stringify(file, null, 2) + '\n');
  return file;
}

/** A model loaded from a run folder, with the artifacts to feed it. */
export interface LoadedModel {
  file: ModelFile;
  model: PipelineModel;
  artifacts: Artifacts;
}

/**
 * Loads the model of a run folder: builds the architecture of model.json (resolved only
 * through the known model families) and loads model.safetensors into it.
 *
 * @example const { model, artifacts } = loadModel('runs/names-20250101-120000');
 */
export function loadModel(runDir: string): LoadedModel {
  const jsonPath = path.join(runDir, 'model.json');
  if (!fs.existsSync(jsonPath)) {
    throw new LoopflowError('RUN_INVALID', `${runDir}: no model.json; the run did not finish training (see summary.json), or this is not a run folder`);
  }
  const file = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as ModelFile;
  if (file.format !== MODEL_FORMAT) throw new LoopflowError('RUN_INVALID', `${jsonPath}: format ${JSON.stringify(file.format)}; expected '${MODEL_FORMAT}'`);
  const model = buildModel(file.architecture, new Random(0));
  const weights = path.join(runDir, path.basename(file.weights));
  loadStateDict(model.modules, loadSafetensors(weights).tensors);
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
