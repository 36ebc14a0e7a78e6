import type { StageRegistry } from './registry';
import type { JsonSchema } from '../vocabulary/stage';
import { SEARCH_PARAMETER_SCHEMA, SEARCH_SCHEMA } from './search-schema';

/** The pattern of a definition's name (it becomes part of the run folder's name). */
export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** The schema key of a stage's options: `stage-csv`. */
export function stageSchemaKey(name: string): string {
  return `stage-${name}`;
}

/**
 * Composes one JSON Schema (draft-07) for pipeline definitions from the registry: every
 * stage's options become a branch of a union discriminated by `stage`, so an editor given the
 * file's `$schema` completes stage names and each stage's options, and ajv (strict mode)
 * reports an unknown stage as one error instead of one per branch.
 *
 * @example
 * fs.writeFileSync('pipeline.schema.json', JSON.stringify(composePipelineSchema(defaultRegistry()), null, 2));
 */
export function composePipelineSchema(registry: StageRegistry): JsonSchema {
  const stages = registry.list();
  const definitions: Record<string, JsonSchema> = {
    stage: {
      type: 'object',
      description: 'One stage: `stage` names a registered stage; the other keys are its options.',
      required: ['stage'],
      properties: { stage: { type: 'string', enum: stages.map((s) => s.name), description: 'The registered stage to run.' } },
      discriminator: { propertyName: 'stage' },
      oneOf: stages.map((s) => ({ $ref: `#/definitions/${stageSchemaKey(s.name)}` })),
    },
    search: SEARCH_SCHEMA,
    searchParameter: SEARCH_PARAMETER_SCHEMA,
  };
  for (const s of stages) {
    const { type: _type, properties, required, additionalProperties: _extra, ...rest } = s.schema as JsonSchema & { properties?: Record<string, JsonSchema>; required?: string[] };
    definitions[stageSchemaKey(s.name)] = {
      type: 'object',
      title: s.name,
      description: `${s.summary} (${s.category}; reads ${s.input.join(' | ')}, gives ${s.output === 'same' ? 'the same kind' : s.output})`,
      ...rest,
      additionalProperties: false,
      required: ['stage', ...(required ?? [])],
      properties: { stage: { const: s.name, description: s.summary }, ...(properties ?? {}) },
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'loopflow pipeline definition',
    description: 'A JSON pipeline for loopflow: stages from a source to training, evaluation and outputs. Generated from the stage registry (npm run docs); do not edit.',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'stages'],
    properties: {
      $schema: { type: 'string', description: 'Path or URL of this schema, for editor completion.' },
      name: { type: 'string', pattern: NAME_PATTERN, description: 'Name of the pipeline; runs are written to runs/<name>-<time>/.' },
      description: { type: 'string', maxLength: 10000, description: 'What the pipeline does (free text, at most 10,000 characters: the report shows it).' },
      seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Seed of every random choice of the run (splits, shuffling, initialization, dropout).' },
      dataSeed: {
        type: 'integer',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          "Seed of the data's random choices: the split of a random-split without its own seed. Default: seed. A search gives each trial its own seed but keeps dataSeed (the definition's dataSeed, else its seed), so every trial is trained and ranked on the same split.",
      },
      memoryLimitMB: {
        type: 'integer',
        minimum: 1,
        maximum: 1073741824,
        description: "The memory (MB) training may plan to use. Validation estimates the model's parameters, gradients, optimizer state and BPTT activations and refuses a model beyond it. Default: 75% of this machine's memory.",
      },
      stages: { type: 'array', minItems: 1, items: { $ref: '#/definitions/stage' }, description: 'The stages, in order: a source first, then preprocessing, a split, batching, a model, training, evaluation and outputs.' },
      search: { $ref: '#/definitions/search' },
    },
    definitions,
  };
}
