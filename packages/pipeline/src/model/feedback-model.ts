import { Random } from '@loopflow/tensor';
import { createEmbedding, createLinear, EmbeddingModule, linear, LinearModule } from '@loopflow/layers';
import { createFeedbackNetwork, FeedbackEdge, FeedbackLayerDefinition, FeedbackNetwork, FeedbackState, runFeedbackNetwork } from '@loopflow/cells';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';
import { inputFeatures } from './recurrent-model';
import { lastRealStep, maskedMean, toForecastLayout } from './pooling';

/** Options of the `feedback` model stage. */
export interface FeedbackModelOptions {
  layers: FeedbackLayerDefinition[];
  feedback?: FeedbackEdge[] | 'complete';
  embeddingSize?: number;
  pooling?: 'last' | 'mean';
}

interface FeedbackModules {
  embedding?: EmbeddingModule;
  network: FeedbackNetwork;
  head: LinearModule;
}

/**
 * A feedback network (direct, indirect, lateral or complete feedback between layers; see
 * @loopflow/cells) whose input size comes from the data, with a linear head from its last
 * layer to the task's output.
 */
export function buildFeedbackModel(description: ModelDescription, rng: Random): PipelineModel {
  const o = description.options as unknown as FeedbackModelOptions;
  const tokens = description.input.kind === 'tokens';
  const inputSize = description.input.kind === 'features' ? description.input.size : (o.embeddingSize ?? description.input.vocabSize);
  const last = o.layers[o.layers.length - 1];
  const modules: FeedbackModules = {
    ...(tokens && o.embeddingSize ? { embedding: createEmbedding(rng, (description.input as { vocabSize: number }).vocabSize, o.embeddingSize) } : {}),
    network: createFeedbackNetwork(rng, { inputSize, layers: o.layers, feedback: o.feedback ?? [] }),
    head: createLinear(rng, last.size, description.outputSize),
  };
  const pooling = o.pooling ?? 'last';
  return {
    description,
    modules,
    stateful: true,
    forward(batch, state, _options) {
      const x = inputFeatures(description, batch.inputs, modules.embedding); // [T, B, I]
      const result = runFeedbackNetwork(modules.network, x, { lengths: batch.lengths, initialState: state as FeedbackState | undefined });
      if (description.task === 'language-model') return { output: linear(modules.head, result.output), state: result.state }; // [T, B, V]
      const pooled = pooling === 'mean' ? maskedMean(result.output, batch.mask, batch.lengths) : lastRealStep(result.output, batch.lengths); // [B, H_last]
      const y = linear(modules.head, pooled);
      return { output: description.task === 'forecast' ? toForecastLayout(y, description.horizon ?? 1, description.targetFeatures ?? 1) : y };
    },
  };
}
