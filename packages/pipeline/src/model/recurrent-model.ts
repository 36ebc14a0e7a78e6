import { Random, Tensor, oneHot } from '@loopflow/tensor';
import { createEmbedding, createLinear, embedding, EmbeddingModule, linear, LinearModule } from '@loopflow/layers';
import { createRecurrent, gradientFlow, RecurrentModule, RecurrentResult, RecurrentState, runRecurrent } from '@loopflow/cells';
import type { Batch } from '@loopflow/data';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';
import { lastLayerState, maskedMean, toForecastLayout } from './pooling';

/** Options of the `recurrent` model stage. */
export interface RecurrentModelOptions {
  cell?: 'rnn' | 'lstm' | 'gru' | 'indrnn';
  nonlinearity?: 'tanh' | 'relu';
  hiddenSize: number;
  numLayers?: number;
  bidirectional?: boolean;
  dropout?: number;
  embeddingSize?: number;
  pooling?: 'last' | 'mean';
  recurrentBound?: number;
}

interface RecurrentModules {
  embedding?: EmbeddingModule;
  rnn: RecurrentModule;
  head: LinearModule;
}

/** The token or feature input of a batch as a `[T, B, I]` tensor. */
export function inputFeatures(description: ModelDescription, inputs: Tensor, table?: EmbeddingModule): Tensor {
  if (description.input.kind === 'features') return inputs; // [T, B, F]
  return table ? embedding(table, inputs) : oneHot(inputs, description.input.vocabSize); // [T, B, E] or [T, B, V]
}

/**
 * A recurrent stack (RNN, LSTM, GRU or IndRNN; stacked, bidirectional) with an optional
 * embedding and a linear head: per-step logits for a language model, or the last layer's
 * final state (or the mean over real steps) through the head for classification and forecasts.
 */
export function buildRecurrentModel(description: ModelDescription, rng: Random): PipelineModel {
  const o = description.options as unknown as RecurrentModelOptions;
  const cell = o.cell ?? 'lstm';
  const tokens = description.input.kind === 'tokens';
  const inputSize = description.input.kind === 'features' ? description.input.size : (o.embeddingSize ?? description.input.vocabSize);
  const directions = o.bidirectional ? 2 : 1;
  const numLayers = o.numLayers ?? 1;
  const modules: RecurrentModules = {
    ...(tokens && o.embeddingSize ? { embedding: createEmbedding(rng, (description.input as { vocabSize: number }).vocabSize, o.embeddingSize) } : {}),
    rnn: createRecurrent(rng, {
      kind: cell,
      inputSize,
      hiddenSize: o.hiddenSize,
      numLayers,
      bidirectional: o.bidirectional ?? false,
      dropout: o.dropout ?? 0,
      ...(cell === 'rnn' || cell === 'indrnn' ? { nonlinearity: o.nonlinearity } : {}),
      ...(cell === 'indrnn' && o.recurrentBound !== undefined ? { recurrentBound: o.recurrentBound } : {}),
    }),
    head: createLinear(rng, directions * o.hiddenSize, description.outputSize),
  };
  const pooling = o.pooling ?? 'last';
  // the task's output from the stack's result: logits [T, B, V], class logits [B, C] or a forecast [H, B, Ft]
  const head = (result: RecurrentResult, batch: Batch): Tensor => {
    if (description.task === 'language-model') return linear(modules.head, result.output); // [T, B, V]
    const pooled = pooling === 'mean' ? maskedMean(result.output, batch.mask, batch.lengths) : lastLayerState(result.state.h, numLayers, directions); // [B, D*H]
    const y = linear(modules.head, pooled); // [B, outputSize]
    return description.task === 'forecast' ? toForecastLayout(y, description.horizon ?? 1, description.targetFeatures ?? 1) : y;
  };
  return {
    description,
    modules,
    stateful: directions === 1,
    forward(batch, state, options) {
      const x = inputFeatures(description, batch.inputs, modules.embedding); // [T, B, I]
      const result = runRecurrent(modules.rnn, x, {
        lengths: batch.lengths,
        initialState: state as RecurrentState | undefined,
        training: options.training,
        rng: options.rng,
      });
      const output = head(result, batch);
      return description.task === 'language-model' ? { output, state: result.state } : { output };
    },
    gradientFlow(batch, lossOf) {
      const x = inputFeatures(description, batch.inputs, modules.embedding); // [T, B, I]
      return gradientFlow(modules.rnn, x, (result) => lossOf(head(result, batch)), { lengths: batch.lengths });
    },
  };
}
