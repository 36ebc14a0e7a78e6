import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { AttentionModelOptions } from '../../model/attention-model';
import { modelOperator } from './model-stage';

/** `attention`: a transformer (decoder-only for language models, an encoder otherwise). */
export const attentionStage = defineStage<AttentionModelOptions>({
  name: 'attention',
  plugin: 'attention',
  category: 'model',
  summary: 'A transformer: decoder-only (causal) for a language model, an encoder with pooling for classification and forecasting.',
  description: 'Pre-norm blocks of multi-head self-attention and an MLP. Attention sees the whole sequence at once; its cost grows with the square of the length.',
  input: ['batches'],
  output: 'model',
  schema: {
    type: 'object',
    required: ['dModel', 'heads', 'layers'],
    properties: {
      dModel: { type: 'integer', minimum: 1, maximum: 65536, description: 'Model width (a multiple of heads).' },
      heads: { type: 'integer', minimum: 1, maximum: 1024, description: 'Attention heads.' },
      layers: { type: 'integer', minimum: 1, maximum: 64, description: 'Transformer blocks.' },
      mlpWidth: { type: 'integer', minimum: 1, maximum: 262144, description: 'Hidden width of each MLP (default 4 x dModel).' },
      activation: { enum: ['gelu', 'relu'], default: 'gelu', description: "The MLP's activation." },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout on the output of each attention and MLP sub-block before it is added back (training only).' },
      positional: {
        enum: ['sinusoidal', 'learned', 'none'],
        default: 'sinusoidal',
        description: "How positions are given: 'sinusoidal' fixed sine/cosine encodings; 'learned' a table of maxLength trained vectors; 'none' no positions (attention alone does not see order).",
      },
      maxLength: { type: 'integer', minimum: 1, default: 1024, description: "Longest sequence of a 'learned' position table." },
      pooling: { enum: ['mean', 'first', 'last'], description: "Encoder pooling (default 'mean' for classification, 'last' for forecasting)." },
    },
  },
  example: { stage: 'attention', dModel: 64, heads: 4, layers: 2 },
  create: (o, ctx) => {
    if (o.dModel % o.heads !== 0) {
      throw new StageOptionsError(`dModel ${o.dModel} is not a multiple of heads ${o.heads}`, { path: '/dModel', expected: `a multiple of ${o.heads}`, found: String(o.dModel), hint: `use dModel ${Math.max(o.heads, Math.round(o.dModel / o.heads) * o.heads)}` });
    }
    if (o.pooling !== undefined && ctx.task === 'language-model') {
      throw new StageOptionsError('pooling applies to classification and forecasting; a language model predicts at every step', { path: '/pooling', hint: 'remove pooling' });
    }
    return modelOperator('attention', o, ctx);
  },
});
