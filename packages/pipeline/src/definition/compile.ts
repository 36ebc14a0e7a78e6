import Ajv, { ValidateFunction } from 'ajv';
import type { StageRegistry } from '../registry/registry';
import type { JsonSchema } from '../vocabulary/stage';
import { composePipelineSchema } from '../registry/schema';

const compiled = new WeakMap<StageRegistry, { schema: JsonSchema; validate: ValidateFunction }>();

/**
 * The composed schema of a registry and its ajv validator (strict mode, all errors, verbose
 * for the messages; union types allowed), compiled once per registry.
 */
export function compiledSchema(registry: StageRegistry): { schema: JsonSchema; validate: ValidateFunction } {
  let entry = compiled.get(registry);
  if (!entry) {
    const schema = composePipelineSchema(registry);
    const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, discriminator: true, allowUnionTypes: true });
    entry = { schema, validate: ajv.compile(schema) };
    compiled.set(registry, entry);
  }
  return entry;
}
