import { LoopflowError } from '@loopflow/tensor';
import type { PipelineDefinition } from '../definition/types';
import { getAt, pointerSegments, setAt, toPointer } from '../definition/pointer';
import { resolveField } from '../definition/search-space';

/**
 * Field -> value: options to change in a definition before it runs, each field written as in
 * a search block — a JSON pointer (`/stages/7/epochs`), a dotted path (`stages.7.epochs`,
 * `seed`) or a dotted path starting with a stage used once (`train.epochs`,
 * `first-names.limit`). `undefined` removes the option (back to its default).
 */
export type DefinitionOverrides = Record<string, unknown>;

/**
 * A copy of `definition` with `overrides` applied, in order (the definition itself is left
 * as it is): for quick runs of a full definition (a few epochs, a subset of the data) in
 * tests and demonstrations. The result is validated like any definition when it runs.
 * Throws `INVALID_ARGUMENT` for a field that does not resolve.
 *
 * @example
 * applyOverrides(definition, { 'train.epochs': 1, 'first-names.limit': 500 })
 */
export function applyOverrides(definition: PipelineDefinition, overrides: DefinitionOverrides): PipelineDefinition {
  let out = JSON.parse(JSON.stringify(definition)) as PipelineDefinition;
  for (const [field, value] of Object.entries(overrides)) {
    const resolved = resolveField(out, field);
    if ('error' in resolved) throw new LoopflowError('INVALID_ARGUMENT', `override '${field}': ${resolved.error}${resolved.hint ? `; ${resolved.hint}` : ''}`);
    if (value === undefined) {
      const segments = pointerSegments(resolved.pointer);
      const parent = getAt(out, toPointer(segments.slice(0, -1))) as Record<string, unknown> | undefined;
      if (parent && typeof parent === 'object') delete parent[segments[segments.length - 1]];
    } else out = setAt(out, resolved.pointer, JSON.parse(JSON.stringify(value)));
  }
  return out;
}
