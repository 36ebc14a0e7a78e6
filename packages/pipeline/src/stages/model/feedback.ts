import { FEEDBACK_CELLS, FeedbackDefinitionError, validateFeedbackDefinition } from '@loopflow/cells';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { FeedbackModelOptions } from '../../model/feedback-model';
import { EMBEDDING_SCHEMA, modelOperator, POOLING_SCHEMA } from './model-stage';

const edge = (kind: string, description: string, properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  description,
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...properties },
});

/** `a.b[2].c` (a feedback issue's path) as a JSON pointer `/a/b/2/c`. */
export function issuePointer(path: string): string {
  if (path === '') return '';
  return `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).join('/')}`;
}

/** `feedback`: a network of layers joined by direct, indirect, lateral or complete feedback. */
export const feedbackStage = defineStage<FeedbackModelOptions>({
  name: 'feedback',
  plugin: 'cells',
  category: 'model',
  summary: 'A feedback network: layers joined by direct (self), indirect (later layer to earlier), lateral (within a layer) or complete feedback, with a linear head.',
  description: 'The input size comes from the data; the head maps the last layer to the output. See docs/feedback.md for the four kinds.',
  input: ['batches'],
  output: 'model',
  schema: {
    type: 'object',
    required: ['layers'],
    properties: {
      layers: {
        type: 'array',
        minItems: 1,
        description: 'The layers, input side first.',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'size', 'cell'],
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*$', description: 'Unique layer name.' },
            size: { type: 'integer', minimum: 1, maximum: 65536, description: 'Neurons.' },
            cell: { enum: FEEDBACK_CELLS.slice(), description: "The layer's cell ('linear' = affine, no activation)." },
          },
        },
      },
      feedback: {
        description: "The feedback edges, or 'complete' (every neuron feeds every neuron of every layer).",
        anyOf: [
          { const: 'complete' },
          {
            type: 'array',
            items: {
              type: 'object',
              required: ['kind'],
              properties: { kind: { type: 'string', enum: ['direct', 'indirect', 'lateral', 'complete'] } },
              discriminator: { propertyName: 'kind' },
              oneOf: [
                edge('direct', 'Each neuron of `layer` feeds itself.', { layer: { type: 'string' } }, ['layer']),
                edge('indirect', 'Layer `from` feeds layer `to` at the next step.', { from: { type: 'string' }, to: { type: 'string' } }, ['from', 'to']),
                edge('lateral', 'Each neuron of `layer` feeds every neuron of `layer`.', { layer: { type: 'string' } }, ['layer']),
                edge('complete', 'Every neuron feeds every neuron.', {}, []),
              ],
            },
          },
        ],
      },
      embeddingSize: EMBEDDING_SCHEMA,
      pooling: POOLING_SCHEMA,
    },
  },
  example: { stage: 'feedback', layers: [{ name: 'h1', size: 32, cell: 'rnn_tanh' }, { name: 'out', size: 16, cell: 'linear' }], feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }] },
  create: (o, ctx) => {
    try {
      validateFeedbackDefinition({ inputSize: 1, layers: o.layers, feedback: o.feedback ?? [] });
    } catch (e) {
      if (e instanceof FeedbackDefinitionError && e.issues.length > 0) {
        const first = e.issues[0];
        throw new StageOptionsError(e.issues.map((i) => `${i.path}: ${i.message}`).join('; '), { path: issuePointer(first.path) });
      }
      throw e;
    }
    return modelOperator('feedback', o, ctx);
  },
});
