import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { RecurrentModelOptions } from '../../model/recurrent-model';
import { EMBEDDING_SCHEMA, modelOperator, POOLING_SCHEMA } from './model-stage';

/** `recurrent`: an RNN, LSTM, GRU or IndRNN stack with a linear head. */
export const recurrentStage = defineStage<RecurrentModelOptions>({
  name: 'recurrent',
  plugin: 'cells',
  category: 'model',
  summary: 'A recurrent network: RNN (Elman), LSTM, GRU or IndRNN layers, stacked and optionally bidirectional, with a linear head.',
  description:
    'Sizes come from the data: the vocabulary (or feature count) in, the vocabulary, classes or horizon x target columns out. A language model gives next-token logits at every step; classification and forecasting read the last real step (or the mean over steps).',
  input: ['batches'],
  output: 'model',
  schema: {
    type: 'object',
    required: ['hiddenSize'],
    properties: {
      cell: { enum: ['rnn', 'lstm', 'gru', 'indrnn'], default: 'lstm', description: "'rnn': Elman (lateral feedback); 'lstm'; 'gru'; 'indrnn': each neuron feeds only itself (direct feedback)." },
      nonlinearity: { enum: ['tanh', 'relu'], description: "Activation of 'rnn' (default tanh) and 'indrnn' (default relu) cells." },
      hiddenSize: { type: 'integer', minimum: 1, maximum: 65536, description: 'Features of the hidden state of each layer and direction.' },
      numLayers: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'Stacked layers.' },
      bidirectional: { type: 'boolean', default: false, description: 'Also read each sequence backwards (classification and forecasting only).' },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout between stacked layers, in training.' },
      embeddingSize: EMBEDDING_SCHEMA,
      pooling: POOLING_SCHEMA,
      recurrentBound: { type: 'number', exclusiveMinimum: 0, description: "'indrnn' only: clip each recurrent weight to [-bound, bound]." },
    },
  },
  example: { stage: 'recurrent', cell: 'lstm', hiddenSize: 64, embeddingSize: 16 },
  create: (o, ctx) => {
    const cell = o.cell ?? 'lstm';
    if (o.nonlinearity !== undefined && (cell === 'lstm' || cell === 'gru')) {
      throw new StageOptionsError(`nonlinearity applies to 'rnn' and 'indrnn' cells; '${cell}' has fixed gate activations`, { path: '/nonlinearity', hint: 'remove nonlinearity' });
    }
    if (o.recurrentBound !== undefined && cell !== 'indrnn') {
      throw new StageOptionsError("recurrentBound applies to 'indrnn' cells only", { path: '/recurrentBound', hint: "remove it, or use cell: 'indrnn'" });
    }
    if (o.bidirectional && ctx.task === 'language-model') {
      throw new StageOptionsError('a language model must not see the steps it predicts, and the backward direction reads them', {
        path: '/bidirectional',
        expected: 'false for a language model',
        found: 'true',
        hint: 'set bidirectional to false (bidirectional layers suit classification and forecasting)',
      });
    }
    if (o.pooling !== undefined && ctx.task === 'language-model') {
      throw new StageOptionsError('pooling applies to classification and forecasting; a language model predicts at every step', { path: '/pooling', hint: 'remove pooling' });
    }
    return modelOperator('recurrent', { ...o, cell }, ctx);
  },
});
