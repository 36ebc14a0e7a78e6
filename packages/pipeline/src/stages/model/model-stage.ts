import { map, OperatorFunction } from 'rxjs';
import { Random } from '@loopflow/tensor';
import type { StageContext } from '../../vocabulary/stage';
import { buildModel } from '../../model/builders';
import type { ModelDescription } from '../../vocabulary/model';
import type { PreparedData } from '../../vocabulary/prepared';
import type { ModelBundle } from '../../vocabulary/bundle';

/** The operator of a model stage: builds the model for the prepared data (sizes from the data). */
export function modelOperator(kind: string, options: object, ctx: StageContext): OperatorFunction<PreparedData, ModelBundle> {
  return map((data: PreparedData): ModelBundle => {
    const description: ModelDescription = {
      kind,
      task: data.task,
      options: JSON.parse(JSON.stringify(options)) as Record<string, unknown>,
      input: data.input,
      outputSize: data.outputSize,
      ...(data.horizon !== undefined ? { horizon: data.horizon, targetFeatures: data.targetFeatures } : {}),
    };
    return { data, model: buildModel(description, new Random(`${ctx.seed}/model`)) };
  });
}

/** Schema of `pooling` for recurrent and feedback models. */
export const POOLING_SCHEMA = {
  enum: ['last', 'mean'],
  default: 'last',
  description: "Classification and forecasting: the sequence's summary fed to the head: the state after the last real step ('last') or the mean output over real steps ('mean').",
};

/** Schema of `embeddingSize`. */
export const EMBEDDING_SCHEMA = {
  type: 'integer',
  minimum: 1,
  maximum: 65536,
  description: 'Token inputs: learn an embedding of this size (default: one-hot vectors of the vocabulary size).',
};
