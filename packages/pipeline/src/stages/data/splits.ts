import { concatMap, OperatorFunction } from 'rxjs';
import { groupedSplit, randomSplit, Split, splitSizes } from '@loopflow/data';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { DataKind } from '../../vocabulary/kinds';
import type { Item } from '../../vocabulary/items';
import { collectItems, ItemBuffer } from '../../vocabulary/item-buffer';

const ITEM_KINDS: DataKind[] = ['records', 'texts', 'tokens', 'ids', 'rows', 'samples'];

const fractionSchema = (part: string) => ({ type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.1, description: `Fraction of the items for ${part}.` });

/** Options of `random-split`. */
export interface RandomSplitOptions {
  validation?: number;
  test?: number;
  seed?: number;
  groupDuplicates?: boolean;
}

/** Options of `chronological-split`. */
export interface ChronologicalSplitOptions {
  validation?: number;
  test?: number;
}

function checkFractions(o: { validation?: number; test?: number }): void {
  const v = o.validation ?? 0.1;
  const t = o.test ?? 0.1;
  if (v + t >= 1) throw new StageOptionsError(`validation ${v} + test ${t} leaves no training data`, { path: '/validation', expected: 'validation + test < 1', found: String(v + t), hint: 'lower validation or test' });
}

/** Tags every item of the buffer with its part (the buffer keeps stream order). */
function tag<V>(buffer: ItemBuffer<V>, split: Split<number>): ItemBuffer<V> {
  for (const name of ['train', 'validation', 'test'] as const) for (const i of split[name]) buffer.setSplit(i, name);
  return buffer;
}

/**
 * Texts group by their trimmed text (@loopflow/datasets' `bodyKey`: SpamAssassin's duplicate
 * bodies; written out here because that package reads files and a page bundles this module;
 * data-stages.spec.ts checks that the two agree); other values by their JSON.
 */
export function groupKey(value: unknown): string {
  return typeof value === 'string' ? value.trim() : JSON.stringify(value);
}

/** `random-split`: a seeded random split into train, validation and test. */
export const randomSplitStage = defineStage<RandomSplitOptions>({
  name: 'random-split',
  plugin: 'data',
  category: 'split',
  summary: 'Splits independent items at random (seeded) into train, validation and test; each part keeps the stream order.',
  input: ITEM_KINDS,
  output: 'same',
  schema: {
    type: 'object',
    properties: {
      validation: fractionSchema('validation'),
      test: fractionSchema('test'),
      seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "Seed of the split (default: derived from the definition's dataSeed, which defaults to its seed; a search keeps it for every trial)." },
      groupDuplicates: { type: 'boolean', default: false, description: 'Keep items with equal values (texts compared trimmed) in one part, so no duplicate is trained on and then tested on.' },
    },
  },
  example: { stage: 'random-split', validation: 0.1, test: 0.1 },
  create: (o, ctx): OperatorFunction<Item<unknown>, Item<unknown>> => {
    checkFractions(o);
    const seed = o.seed ?? `${ctx.dataSeed ?? ctx.seed}/split`; // the same split for every trial of a search
    return (source) =>
      source.pipe(
        collectItems(),
        concatMap((buffer) => {
          const indices = Array.from({ length: buffer.length }, (_, i) => i);
          const fractions = { validation: o.validation, test: o.test, seed };
          const split = o.groupDuplicates ? groupedSplit(indices, { ...fractions, groupOf: (i) => groupKey(buffer.valueAt(i)) }) : randomSplit(indices, fractions);
          return tag(buffer, split).drain();
        }),
      );
  },
});

/** `chronological-split`: train first, then validation, then test, in stream order. */
export const chronologicalSplitStage = defineStage<ChronologicalSplitOptions>({
  name: 'chronological-split',
  plugin: 'data',
  category: 'split',
  summary: 'Splits in stream (time) order: the first items train, the next validate, the last test. For series.',
  input: ITEM_KINDS,
  output: 'same',
  schema: {
    type: 'object',
    properties: { validation: fractionSchema('validation'), test: fractionSchema('test') },
  },
  example: { stage: 'chronological-split', validation: 0.15, test: 0.15 },
  create: (o): OperatorFunction<Item<unknown>, Item<unknown>> => {
    checkFractions(o);
    return (source) =>
      source.pipe(
        collectItems(),
        concatMap((buffer) => {
          // train first, then validation, then test (chronologicalSplit's parts, without an array of the items)
          const sizes = splitSizes('chronologicalSplit', buffer.length, { validation: o.validation, test: o.test });
          for (let i = 0; i < buffer.length; i++) buffer.setSplit(i, i < sizes.train ? 'train' : i < sizes.train + sizes.validation ? 'validation' : 'test');
          return buffer.drain();
        }),
      );
  },
});
