import { LoopflowError, Random } from '@loopflow/tensor';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';
import { buildRecurrentModel } from './recurrent-model';
import { buildAttentionModel } from './attention-model';
import { buildFeedbackModel } from './feedback-model';

/** The model families a description's `kind` may name (resolved here only, never loaded). */
export const MODEL_BUILDERS: Readonly<Record<string, (description: ModelDescription, rng: Random) => PipelineModel>> = {
  recurrent: buildRecurrentModel,
  attention: buildAttentionModel,
  feedback: buildFeedbackModel,
};

/**
 * Builds a model with fresh weights from its description (model.json's `architecture`).
 *
 * @example const model = buildModel(description, new Random(0)); loadStateDict(model.modules, tensors);
 */
export function buildModel(description: ModelDescription, rng: Random): PipelineModel {
  const builder = Object.prototype.hasOwnProperty.call(MODEL_BUILDERS, description?.kind) ? MODEL_BUILDERS[description.kind] : undefined;
  if (!builder) {
    throw new LoopflowError('MODEL_INVALID', `model: kind ${JSON.stringify(description?.kind)} is unknown; expected one of ${Object.keys(MODEL_BUILDERS).join(', ')}`);
  }
  return builder(description, rng);
}
