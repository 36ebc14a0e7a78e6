import { Random } from '@loopflow/tensor';
import type { PipelineDefinition, ParameterSpec } from './types';
import type { DefinitionProblem } from './problems';
import { escapePointerSegment } from './json-positions';
import { getAt, setAt, toPointer } from './pointer';

/** One trial: its number, the values it sets (by field as written) and the definition to run. */
export interface Trial {
  index: number;
  values: Record<string, unknown>;
  definition: PipelineDefinition;
}

/** Most grid combinations accepted. */
export const MAX_GRID = 10000;

/**
 * The JSON pointer a search field names: a pointer (`/stages/4/hiddenSize`), a dotted path
 * from the top (`stages.4.hiddenSize`, `seed`), or a dotted path starting with the name of a
 * stage that appears once (`recurrent.hiddenSize`, `train.optimizer.lr`). The container of the
 * last key must exist in the definition; the key itself may be absent (an option left at its
 * default).
 */
export function resolveField(definition: PipelineDefinition, field: string): { pointer: string } | { error: string; hint?: string } {
  let pointer: string;
  if (field.startsWith('/')) pointer = field;
  else {
    const segments = field.split('.');
    if (segments.some((s) => s === '')) return { error: `'${field}' has an empty segment`, hint: 'write segments joined by single dots, e.g. train.optimizer.lr' };
    const head = segments[0];
    if (head in definition || ['name', 'seed', 'dataSeed', 'stages', 'description'].includes(head)) pointer = toPointer(segments);
    else {
      const indices = definition.stages.flatMap((s, i) => (s.stage === head ? [i] : []));
      if (indices.length === 0) {
        return { error: `'${field}' starts with '${head}', which is neither a top-level key nor a stage of this definition`, hint: `start with a stage name (${[...new Set(definition.stages.map((s) => s.stage))].join(', ')}), 'stages.<index>', or write a JSON pointer` };
      }
      if (indices.length > 1) return { error: `stage '${head}' appears ${indices.length} times (stages ${indices.join(', ')})`, hint: `address one by index: stages.${indices[0]}.${segments.slice(1).join('.')}` };
      pointer = `/stages/${indices[0]}${toPointer(segments.slice(1))}`;
    }
  }
  const parentPointer = pointer.slice(0, pointer.lastIndexOf('/'));
  const parent = getAt(definition, parentPointer);
  if (parent === null || typeof parent !== 'object') {
    const missingKey = parentPointer.slice(parentPointer.lastIndexOf('/') + 1);
    return {
      error: `'${field}' (${pointer}) does not lead into the definition: ${parentPointer || 'the root'} is not an object or array in it`,
      hint: parent === undefined ? `write "${missingKey}" in the definition (e.g. "optimizer": { "kind": "adam" }) so the searched key has a place; only the last key may be absent` : 'check the path against the definition; only the last key may be absent',
    };
  }
  if (pointer === '/search' || pointer.startsWith('/search/')) return { error: 'the search block cannot search itself' };
  return { pointer };
}

function enumerate(spec: ParameterSpec): unknown[] | null {
  if ('values' in spec) return spec.values;
  if ('choice' in spec) return spec.choice;
  if ('int' in spec) {
    const [lo, hi] = spec.int;
    return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, i) => lo + i);
  }
  return null;
}

function draw(spec: ParameterSpec, rng: Random): unknown {
  if ('values' in spec) return spec.values[rng.int(spec.values.length)];
  if ('choice' in spec) return spec.choice[rng.int(spec.choice.length)];
  if ('int' in spec) return spec.int[0] + rng.int(spec.int[1] - spec.int[0] + 1);
  if ('uniform' in spec) return rng.uniform(spec.uniform[0], spec.uniform[1]);
  const [lo, hi] = spec.logUniform;
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

/** The seed of trial `index` (derived from the search seed, distinct per trial). */
export function trialSeed(searchSeed: number, index: number): number {
  return new Random(`${searchSeed}/trial/${index}`).int(2 ** 31 - 1);
}

/**
 * Plans the trials of a definition's search: every combination (grid) or `trials` seeded
 * draws (random). Each trial's definition has the fields set, no search block, and its own
 * seed. Problems (a field that does not resolve, a range in a grid...) are returned instead.
 */
export function planTrials(definition: PipelineDefinition): { trials: Trial[]; problems: DefinitionProblem[] } {
  const search = definition.search;
  const problems: DefinitionProblem[] = [];
  if (!search) return { trials: [], problems };
  const method = search.method ?? 'grid';
  const fields = Object.keys(search.parameters);
  const pointers: string[] = [];
  for (const field of fields) {
    const at = `/search/parameters/${escapePointerSegment(field)}`;
    const resolved = resolveField(definition, field);
    if ('error' in resolved) {
      problems.push({ code: 'SEARCH', path: at, message: resolved.error, hint: resolved.hint });
      continue;
    }
    pointers.push(resolved.pointer);
    const spec = search.parameters[field];
    const [key, range] = Object.entries(spec)[0] as [string, number[]];
    if ((key === 'uniform' || key === 'logUniform' || key === 'int') && !(range[0] <= range[1])) {
      problems.push({ code: 'SEARCH', path: `${at}/${key}`, message: 'the range is empty', expected: '[low, high] with low <= high', found: JSON.stringify(range) });
    }
    if (method === 'grid' && (key === 'uniform' || key === 'logUniform')) {
      problems.push({ code: 'SEARCH', path: `${at}/${key}`, message: `a grid search cannot try every value of a continuous range (${key})`, hint: 'list the values to try ({ "values": [...] }), or use "method": "random" with "trials"' });
    }
  }
  if (method === 'random' && search.trials === undefined) {
    problems.push({ code: 'SEARCH', path: '/search', message: 'a random search needs the number of trials', expected: '"trials": a whole number >= 1', hint: 'add "trials": 8' });
  }
  if (problems.length) return { trials: [], problems };

  const base = { ...definition };
  delete base.search;
  const combos: unknown[][] = [];
  if (method === 'grid') {
    const lists = fields.map((f) => enumerate(search.parameters[f]) as unknown[]);
    const total = lists.reduce((n, l) => n * l.length, 1);
    if (total > MAX_GRID) {
      return { trials: [], problems: [{ code: 'SEARCH', path: '/search/parameters', message: `the grid has ${total} combinations`, expected: `at most ${MAX_GRID}`, hint: 'use fewer values, or "method": "random" with "trials"' }] };
    }
    const walk = (i: number, chosen: unknown[]): void => {
      if (i === lists.length) combos.push(chosen);
      else for (const v of lists[i]) walk(i + 1, [...chosen, v]);
    };
    walk(0, []);
  } else {
    const rng = new Random(`${search.seed ?? 0}/search`);
    for (let t = 0; t < (search.trials as number); t++) combos.push(fields.map((f) => draw(search.parameters[f], rng)));
  }
  const trials = combos.map((combo, index): Trial => {
    let trialDefinition = base as PipelineDefinition;
    combo.forEach((value, i) => (trialDefinition = setAt(trialDefinition, pointers[i], value)));
    const values = Object.fromEntries(fields.map((f, i) => [f, combo[i]]));
    // each trial its own seed (initialization, shuffling, dropout), but one data seed: every trial sees the same split
    const dataSeed = pointers.includes('/dataSeed') ? {} : { dataSeed: definition.dataSeed ?? definition.seed ?? 0 };
    const seeded = pointers.includes('/seed') ? { ...trialDefinition, ...dataSeed } : { ...trialDefinition, seed: trialSeed(search.seed ?? 0, index), ...dataSeed };
    return { index, values, definition: seeded };
  });
  return { trials, problems };
}
