import { defer, filter, from, map } from 'rxjs';
import { nodePackage } from '../../platform/node';
import { defineStage } from '../../vocabulary/stage';
import type { Item } from '../../vocabulary/items';

/**
 * @loopflow/datasets, loaded when a dataset stage runs (its loaders read the installed data
 * packages' files, so it runs only in Node): a module that a page bundles must not import it.
 * The stages' names and schemas stay in the registry, so a definition validates the same in a
 * page; there, a page replaces their `create` by one that reads its own data.
 */
function datasets(stage: string): typeof import('@loopflow/datasets') {
  return nodePackage<typeof import('@loopflow/datasets')>('@loopflow/datasets', `the dataset stage '${stage}' (it reads the installed data packages)`);
}

/** Options of the `first-names` dataset. */
export interface FirstNamesOptions {
  lowerCase?: boolean;
  limit?: number;
}

/** `first-names`: 8,422 English first names (stdlib datasets, no network). */
export const firstNamesStage = defineStage<FirstNamesOptions>({
  name: 'first-names',
  plugin: 'datasets',
  category: 'source',
  summary: 'English first names (8,422 distinct, from the installed stdlib datasets packages): one text per name.',
  description: 'Female and male lists merged, distinct and sorted. Licence PDDL-1.0 / CC0-1.0 (Moby Word II). For a character language model.',
  input: ['none'],
  output: 'texts',
  schema: {
    type: 'object',
    properties: {
      lowerCase: { type: 'boolean', default: true, description: 'Lower-case the names (Anna becomes anna), so the model learns one alphabet.' },
      limit: { type: 'integer', minimum: 1, description: 'Keep only this many names, evenly spread over the sorted list (for quick trials).' },
    },
  },
  example: { stage: 'first-names' },
  create: (o) => () =>
    defer(() => {
      const names = datasets('first-names').loadFirstNames({ lowerCase: o.lowerCase ?? true }).names;
      return from(spread(names, o.limit).map((value): Item<string> => ({ value })));
    }),
});

/** Options of the `co2` dataset. */
export interface Co2Options {
  columns?: ('co2' | 'adjustedCo2')[];
}

/** `co2`: the monthly Mauna Loa CO2 series (vega-datasets, no network). */
export const co2Stage = defineStage<Co2Options>({
  name: 'co2',
  plugin: 'datasets',
  category: 'source',
  summary: 'Monthly CO2 at Mauna Loa, 1958-03 to 2020-04 (746 months, 5 gaps interpolated), as numeric rows.',
  description: 'From the installed vega-datasets package. Licence of the data: CC-BY-4.0. Values in ppm.',
  input: ['none'],
  output: 'rows',
  schema: {
    type: 'object',
    properties: {
      columns: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['co2', 'adjustedCo2'] }, default: ['co2'], description: 'The values of each row, in order.' },
    },
  },
  example: { stage: 'co2', columns: ['co2'] },
  create: (o, ctx) => () =>
    defer(() => {
      const columns = o.columns ?? ['co2'];
      ctx.artifacts.columns = columns.slice();
      const months = datasets('co2').loadCo2Concentration().months;
      ctx.artifacts.rowLabels = months.map((m) => m.date);
      return from(months.map((m): Item<number[]> => ({ value: columns.map((c) => m[c]) })));
    }),
});

/** Options of the `spam-assassin` dataset. */
export interface SpamAssassinOptions {
  limit?: number;
}

/** `spam-assassin`: the SpamAssassin public corpus, bodies labelled ham (0) / spam (1). */
export const spamAssassinStage = defineStage<SpamAssassinOptions>({
  name: 'spam-assassin',
  plugin: 'datasets',
  category: 'source',
  summary: 'The SpamAssassin public mail corpus (6,046 messages): one text per message body, labelled ham (0) or spam (1).',
  description: 'Headers are dropped (they give the label away). 195 bodies repeat; use `random-split` with `groupDuplicates: true` so no duplicate lands in two splits. Licence PDDL-1.0 / CC0-1.0.',
  input: ['none'],
  output: 'texts',
  schema: {
    type: 'object',
    properties: { limit: { type: 'integer', minimum: 1, description: 'Keep only this many messages, evenly spread over the corpus so both classes appear (for quick trials).' } },
  },
  example: { stage: 'spam-assassin' },
  create: (o, ctx) => () =>
    defer(() => {
      ctx.artifacts.labels = ['ham', 'spam'];
      const toItem = (m: { body: string; spam: boolean }): Item<string> => ({ value: m.body, label: m.spam ? 1 : 0 });
      if (o.limit !== undefined) return from(spread(datasets('spam-assassin').loadSpamAssassin().filter((m) => m.body.trim() !== ''), o.limit).map(toItem));
      return datasets('spam-assassin').spamAssassin$().pipe(
        filter((m) => m.body.trim() !== ''),
        map(toItem),
      );
    }),
});

/** At most `limit` items, evenly spread over `items` (all of them without a limit). */
export function spread<T>(items: readonly T[], limit?: number): T[] {
  if (limit === undefined || limit >= items.length) return items.slice();
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}
