import { LoopflowError } from '@loopflow/tensor';
import type { StageDefinition, JsonSchema } from '../vocabulary/stage';
import { STAGE_CATEGORIES } from '../vocabulary/stage';
import { KIND_ORDER } from '../vocabulary/kinds';

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * The stages a definition may name. Plugins fill it (the built-in ones through
 * `defaultRegistry()`); a name resolves only here, so a definition can never load code.
 * Registering a name twice throws, naming it.
 *
 * @example
 * const registry = new StageRegistry();
 * registry.register(myStage);
 * registry.get('my-stage')?.create(options, context);
 */
export class StageRegistry {
  private readonly stages = new Map<string, StageDefinition<any>>();

  /** Adds a stage. Throws `STAGE_REGISTERED` for a name already taken, `INVALID_ARGUMENT` for a malformed definition. */
  register<O>(stage: StageDefinition<O>): this {
    const where = `StageRegistry.register(${JSON.stringify(stage?.name)})`;
    if (!stage || typeof stage.name !== 'string' || !NAME.test(stage.name)) {
      throw new LoopflowError('INVALID_ARGUMENT', `${where}: a stage name is lower-case words joined by '-' (e.g. 'random-split')`);
    }
    if (this.stages.has(stage.name)) {
      throw new LoopflowError('STAGE_REGISTERED', `${where}: a stage named '${stage.name}' is already registered (by plugin '${this.stages.get(stage.name)?.plugin}'); choose another name`);
    }
    if (!STAGE_CATEGORIES.includes(stage.category)) {
      throw new LoopflowError('INVALID_ARGUMENT', `${where}: category '${stage.category}'; expected one of ${STAGE_CATEGORIES.join(', ')}`);
    }
    for (const kind of [...stage.input, ...(stage.output === 'same' ? [] : [stage.output])]) {
      if (!KIND_ORDER.includes(kind)) throw new LoopflowError('INVALID_ARGUMENT', `${where}: unknown data kind '${kind}'; expected one of ${KIND_ORDER.join(', ')}`);
    }
    const schema = stage.schema as JsonSchema;
    if (schema.type !== 'object' || (schema.properties !== undefined && typeof schema.properties !== 'object')) {
      throw new LoopflowError('INVALID_ARGUMENT', `${where}: schema must be an object schema ({ type: 'object', properties: {...} })`);
    }
    if (schema.properties && 'stage' in (schema.properties as object)) {
      throw new LoopflowError('INVALID_ARGUMENT', `${where}: the option name 'stage' is reserved (the registry adds it)`);
    }
    this.stages.set(stage.name, stage as StageDefinition<any>);
    return this;
  }

  /** The stage named `name`, or undefined. */
  get(name: string): StageDefinition<any> | undefined {
    return this.stages.get(name);
  }

  has(name: string): boolean {
    return this.stages.has(name);
  }

  /** Every registered name, in registration order. */
  names(): string[] {
    return [...this.stages.keys()];
  }

  /** Every stage, ordered by category (pipeline order), then registration order. */
  list(): StageDefinition<any>[] {
    const registered = [...this.stages.values()];
    return [...registered].sort((a, b) => STAGE_CATEGORIES.indexOf(a.category) - STAGE_CATEGORIES.indexOf(b.category) || registered.indexOf(a) - registered.indexOf(b));
  }
}
