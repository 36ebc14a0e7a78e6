/**
 * model.json and the weights beside it, as data: what a run folder's model files hold, with no
 * file access (the run-folder side is model-file.ts; a page, e.g. the playground, uses this
 * through `@loopflow/pipeline/browser`).
 */
import { LoopflowError } from '@loopflow/tensor';
import { encodeSafetensors, parameters, stateDict } from '@loopflow/layers';
import type { Tensor } from '@loopflow/tensor';
import { upgradeAttentionStateDict } from '@loopflow/attention';
import { Scaler, ScalerJSON, TokenizerConfig, Vocabulary, VocabularyJSON } from '@loopflow/data';
import type { Artifacts, SeriesLayout } from '../vocabulary/artifacts';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';

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

/** The model.json of a trained model (without the weights' checksum, which is of the bytes written). */
export function describeModel(name: string, model: PipelineModel, artifacts: Artifacts): ModelFile {
  return {
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
}

/** The bytes of model.safetensors: the model's state dict (PyTorch names) with loopflow's metadata. */
export function encodeModelWeights(model: PipelineModel): Uint8Array {
  return encodeSafetensors(stateDict(model.modules), MODEL_WEIGHTS_METADATA);
}

/**
 * The tensors of a model.safetensors in today's names, ready for `loadStateDict`: weights saved
 * before attention took PyTorch's layout (`attention.Wq..Wo [in, out]`, `fc1`, `fc2`) are
 * converted (`upgradeAttentionStateDict` of @loopflow/attention); others pass as they are.
 */
export function currentWeightNames(tensors: Record<string, Tensor>): Record<string, Tensor> {
  return upgradeAttentionStateDict(tensors).tensors;
}

/** The metadata of model.safetensors. */
export const MODEL_WEIGHTS_METADATA = { format: 'pt', loopflow: MODEL_FORMAT };

/** The artifacts (tokenizer, vocabulary, scaler...) that model.json records, to feed the model. */
export function artifactsOf(file: ModelFile): Artifacts {
  return {
    ...(file.tokenizer ? { tokenizer: file.tokenizer } : {}),
    ...(file.vocabulary ? { vocabulary: Vocabulary.fromJSON(file.vocabulary) } : {}),
    ...(file.scaler ? { scaler: Scaler.fromJSON(file.scaler) } : {}),
    ...(file.labels ? { labels: file.labels } : {}),
    ...(file.columns ? { columns: file.columns } : {}),
    ...(file.series ? { series: file.series } : {}),
  };
}

/**
 * Refuses weights holding NaN or infinities (`MODEL_NOT_FINITE`: the training diverged),
 * naming `source`, the tensor, how many and the first.
 */
export function checkFiniteWeights(tensors: Readonly<Record<string, Tensor>>, source: string): void {
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
      throw new LoopflowError('MODEL_NOT_FINITE', `${source}: tensor '${name}' holds ${bad} non-finite value${bad === 1 ? '' : 's'} (the first, ${data[first]}, at index ${first}); the training diverged: retrain with a lower learning rate or gradient clipping, or resume from an earlier checkpoint`);
    }
  }
}
