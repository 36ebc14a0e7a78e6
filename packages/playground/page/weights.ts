/**
 * Weights in and out of the page, as a run folder holds them: `model.safetensors` (PyTorch
 * names, metadata `{ format: 'pt', loopflow: 'loopflow.model/1' }`) beside `model.json` (the
 * architecture, vocabulary, scaler...), described by @loopflow/pipeline's own `describeModel`,
 * `encodeModelWeights` and `artifactsOf`, and checked as `loadModel` checks them (finite weights).
 */
import { Random } from '@loopflow/tensor';
import { decodeSafetensors, loadStateDict, parameters } from '@loopflow/layers';
import { MODEL_FORMAT, artifactsOf, buildModel, checkFiniteWeights, currentWeightNames, describeModel, encodeModelWeights } from '@loopflow/pipeline/browser';
import type { Artifacts, ModelFile, PipelineModel } from '@loopflow/pipeline/browser';
import { PlaygroundError } from './errors';

/** model.safetensors and model.json of a model, as a run folder holds them (pipeline's own description; a run folder's model.json also records the weights' SHA-256, which the page leaves out). */
export function modelWeights(name: string, model: PipelineModel, artifacts: Artifacts): { bytes: Uint8Array; modelJson: string } {
  return { bytes: encodeModelWeights(model), modelJson: JSON.stringify(describeModel(name, model, artifacts), null, 2) + '\n' };
}

/** A model made from dropped files. */
export interface LoadedWeights {
  name: string;
  model: PipelineModel;
  artifacts: Artifacts;
  description: string;
}

/**
 * Builds the model of `modelJson` (or, without one, the architecture of the page's current
 * model) and loads the `.safetensors` bytes into it (strict: every tensor present, shapes equal).
 */
export function loadWeights(bytes: Uint8Array, weightsName: string, modelJson: string | undefined, fallback: { model: PipelineModel; artifacts: Artifacts; name: string } | null): LoadedWeights {
  const { tensors } = decodeSafetensors(bytes, { source: weightsName });
  checkFiniteWeights(tensors, weightsName);
  let file: ModelFile | null = null;
  if (modelJson !== undefined) {
    try {
      file = JSON.parse(modelJson) as ModelFile;
    } catch (e) {
      throw new PlaygroundError('PLAYGROUND_BAD_MODEL_JSON', `model.json is not JSON (${(e as Error).message}); drop the model.json of the same run folder`);
    }
    if (file.format !== MODEL_FORMAT) throw new PlaygroundError('PLAYGROUND_BAD_MODEL_JSON', `model.json: format ${JSON.stringify(file.format)}; expected '${MODEL_FORMAT}' (the model.json of a loopflow run folder)`);
  } else if (!fallback) {
    throw new PlaygroundError('PLAYGROUND_NO_ARCHITECTURE', `${weightsName}: a .safetensors file holds the weights but not the architecture; drop it together with the model.json of its run folder, or train a model of the same architecture first`);
  }
  const model = buildModel(file ? file.architecture : fallback!.model.description, new Random(0));
  try {
    loadStateDict(model.modules, currentWeightNames(tensors)); // old attention names convert
  } catch (e) {
    throw new PlaygroundError('PLAYGROUND_WEIGHTS_MISMATCH', `${weightsName} does not fit the ${file ? "model.json's" : "current model's"} architecture: ${(e as Error).message}`);
  }
  const artifacts: Artifacts = file
    ? artifactsOf(file)
    : fallback!.artifacts;
  const count = parameters(model.modules).reduce((n, p) => n + p.size, 0);
  const name = file?.name ?? fallback!.name;
  return { name, model, artifacts, description: `${weightsName}: ${Object.keys(tensors).length} tensors, ${count.toLocaleString('en')} parameters, ${model.description.kind} model of '${name}'${file ? ' (model.json)' : " (the current model's architecture)"}` };
}
