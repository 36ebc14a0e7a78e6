import type { JsonSchema } from '../vocabulary/stage';

/** The JSON Schema of one searched field's values or range. */
export const SEARCH_PARAMETER_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Exactly one of: values (a list), choice (a list), uniform [low, high], logUniform [low, high], int [low, high] (inclusive).',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    values: { type: 'array', minItems: 1, description: 'The values to try: grid search tries each; random search draws one per trial.' },
    choice: { type: 'array', minItems: 1, description: 'Same as values: one of these per trial.' },
    uniform: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[low, high]: a number drawn uniformly (random search only).' },
    logUniform: {
      type: 'array',
      items: { type: 'number', exclusiveMinimum: 0 },
      minItems: 2,
      maxItems: 2,
      description: '[low, high], both > 0: a number whose logarithm is uniform, for learning rates (random search only).',
    },
    int: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2, description: '[low, high]: an integer in the inclusive range (grid search tries each).' },
  },
};

/** The JSON Schema of a definition's `search` block. */
export const SEARCH_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Hyper-parameter search: run the pipeline once per trial with the named fields set to searched values (`loopflow search <file>`).',
  additionalProperties: false,
  required: ['parameters'],
  properties: {
    method: { enum: ['grid', 'random'], default: 'grid', description: "'grid' tries every combination of values; 'random' draws `trials` combinations." },
    trials: { type: 'integer', minimum: 1, description: 'Trials of a random search (required for random).' },
    seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: "Seed of the random draws; each trial's run seed is derived from it and the trial number." },
    parallel: { type: 'integer', minimum: 1, maximum: 64, description: 'Trials run at once on worker threads (default: the number of CPUs, at most the number of trials).' },
    metric: { type: 'string', default: 'validation.loss', description: "The metric that ranks trials: 'validation.loss', 'validation.accuracy', 'test.rmse'..." },
    mode: { enum: ['min', 'max'], description: "Whether a lower or higher metric is better (default: 'max' for accuracy, precision, recall and f1, else 'min')." },
    parameters: {
      type: 'object',
      minProperties: 1,
      description: "Field -> values or range. A field is a JSON pointer ('/stages/4/hiddenSize') or a dotted path ('stages.4.hiddenSize', or 'recurrent.hiddenSize' naming a stage that appears once).",
      additionalProperties: { $ref: '#/definitions/searchParameter' },
    },
  },
};
