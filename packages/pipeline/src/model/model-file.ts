import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LoopflowError, Random } from '@loopflow/tensor';
import { decodeSafetensors, loadStateDict, saveSafetensors, stateDict } from '@loopflow/layers';
import type { Artifacts } from '../vocabulary/artifacts';
import type { PipelineModel } from '../vocabulary/model';
import { buildModel } from './builders';
import { MODEL_FORMAT, MODEL_WEIGHTS_METADATA, ModelFile, artifactsOf, checkFiniteWeights, currentWeightNames, describeModel } from './model-json';
import { writeFileAtomic } from '../run-folder/atomic';

export { MODEL_FORMAT } from './model-json';
export type { ModelFile } from './model-json';

/**
 * Writes a trained model into a run folder: `model.safetensors` (PyTorch-style names) and
 * `model.json` (architecture, vocabulary, scaler...), both atomically.
 */
export function saveModel(runDir: string, name: string, model: PipelineModel, artifacts: Artifacts): ModelFile {
  const file = describeModel(name, model, artifacts);
  const weights = path.join(runDir, file.weights);
  saveSafetensors(weights, stateDict(model.modules), MODEL_WEIGHTS_METADATA);
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
 * (`MODEL_NOT_FINITE`: the training diverged). Weights written before attention took
 * PyTorch's names and layout (`attention.Wq..Wo`) are converted as they load.
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
  checkFiniteWeights(tensors, weights);
  loadStateDict(model.modules, currentWeightNames(tensors)); // run folders from before attention's PyTorch layout convert
  const artifacts = artifactsOf(file);
  return { file, model, artifacts };
}
