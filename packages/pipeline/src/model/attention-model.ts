import { Random, permute } from '@loopflow/tensor';
import { createDecoder, createEncoder, decoder, DecoderModel, encoder, EncoderModel, MlpActivation, PositionKind } from '@loopflow/attention';
import type { ModelDescription, PipelineModel } from '../vocabulary/model';
import { toForecastLayout } from './pooling';

/** Options of the `attention` model stage. */
export interface AttentionModelOptions {
  dModel: number;
  heads: number;
  layers: number;
  mlpWidth?: number;
  activation?: MlpActivation;
  dropout?: number;
  positional?: PositionKind;
  maxLength?: number;
  pooling?: 'mean' | 'first' | 'last';
}

/**
 * A transformer: decoder-only (causal) for a language model, an encoder with pooling for
 * classification and forecasting. Batches are time-major; the transformer is batch-major, so
 * inputs and outputs are transposed here.
 */
export function buildAttentionModel(description: ModelDescription, rng: Random): PipelineModel {
  const o = description.options as unknown as AttentionModelOptions;
  const config = {
    input: description.input,
    outputSize: description.outputSize,
    dModel: o.dModel,
    heads: o.heads,
    layers: o.layers,
    mlpWidth: o.mlpWidth,
    activation: o.activation,
    dropout: o.dropout ?? 0,
    positional: o.positional,
    maxLength: o.maxLength,
  };
  if (description.task === 'language-model') {
    const model: DecoderModel = createDecoder(rng, config);
    return {
      description,
      modules: { transformer: model },
      stateful: false,
      forward(batch, _state, options) {
        const ids = permute(batch.inputs, [1, 0]); // [T, B] -> [B, T]
        return { output: permute(decoder(model, ids, { training: options.training }), [1, 0, 2]) }; // [B, T, V] -> [T, B, V]
      },
    };
  }
  const pooling = o.pooling ?? (description.task === 'forecast' ? 'last' : 'mean');
  const model: EncoderModel = createEncoder(rng, { ...config, pooling });
  return {
    description,
    modules: { transformer: model },
    stateful: false,
    forward(batch, _state, options) {
      const x = description.input.kind === 'tokens' ? permute(batch.inputs, [1, 0]) : permute(batch.inputs, [1, 0, 2]); // [B, T] or [B, T, F]
      const y = encoder(model, x, { training: options.training, lengths: batch.lengths }); // [B, outputSize]
      return { output: description.task === 'forecast' ? toForecastLayout(y, description.horizon ?? 1, description.targetFeatures ?? 1) : y };
    },
  };
}
