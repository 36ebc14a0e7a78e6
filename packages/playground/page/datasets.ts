/**
 * The dataset stages in a page. `first-names` and `co2` keep the name, schema and options of
 * @loopflow/pipeline's stages (the registry's own definitions, so validation is the same) but
 * read the page's static files (data/first-names.json, data/co2.json: what
 * @loopflow/datasets' loaders read and return, written by scripts/build.ts) instead of the
 * installed npm packages. `spam-assassin` (6,046 messages) is not shipped: running it fails,
 * saying so. Every other stage is the registry's own.
 */
import { defer, from, Observable, throwError } from 'rxjs';
import { createDefaultRegistry, StageRegistry } from '@loopflow/pipeline/browser';
import type { Item, StageDefinition } from '@loopflow/pipeline/browser';
import { PlaygroundError } from './errors';

/** data/first-names.json: the two lists as the stdlib packages ship them. */
export interface FirstNamesFile {
  female: string[];
  male: string[];
}

/** One month of data/co2.json (gaps filled, as loadCo2Concentration returns them). */
export interface Co2Row {
  date: string;
  co2: number;
  adjustedCo2: number;
}

/** The page's data, fetched when a definition needs it. */
export interface PageData {
  firstNames?: FirstNamesFile;
  co2?: Co2Row[];
}

/** The lists merged as `loadFirstNames` merges them: lower-cased unless asked not to, distinct, sorted by code unit. */
export function mergeFirstNames(file: FirstNamesFile, lowerCase: boolean): string[] {
  const norm = (n: string): string => (lowerCase ? n.toLowerCase() : n);
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...new Set([...file.female.map(norm), ...file.male.map(norm)])].sort(byCodeUnit);
}

/** At most `limit` items, evenly spread (the `limit` option of the dataset stages). */
function spread<T>(items: readonly T[], limit?: number): T[] {
  if (limit === undefined || limit >= items.length) return items.slice();
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}

function missing(name: string, file: string): Observable<never> {
  return throwError(() => new PlaygroundError('PLAYGROUND_DATA_MISSING', `${name}: the page has not loaded ${file}; reload the page (the playground fetches it before a run that needs it)`));
}

/** Which data files a definition's stages need. */
export function dataNeeded(stageNames: readonly string[]): { firstNames: boolean; co2: boolean } {
  return { firstNames: stageNames.includes('first-names'), co2: stageNames.includes('co2') };
}

/**
 * The built-in stages with the dataset stages reading `data`. Validation with it is the same
 * as with `createDefaultRegistry()` (same names, schemas and checks).
 */
export function pageRegistry(data: PageData): StageRegistry {
  const registry = new StageRegistry();
  for (const stage of createDefaultRegistry().list()) {
    if (stage.name === 'first-names') {
      const create: StageDefinition<{ lowerCase?: boolean; limit?: number }>['create'] = (o) => () =>
        data.firstNames
          ? defer(() => from(spread(mergeFirstNames(data.firstNames!, o.lowerCase ?? true), o.limit).map((value): Item<string> => ({ value }))))
          : missing('first-names', 'data/first-names.json');
      registry.register({ ...stage, create });
    } else if (stage.name === 'co2') {
      const create: StageDefinition<{ columns?: ('co2' | 'adjustedCo2')[] }>['create'] = (o, ctx) => () =>
        data.co2
          ? defer(() => {
              const columns = o.columns ?? ['co2'];
              ctx.artifacts.columns = columns.slice();
              ctx.artifacts.rowLabels = data.co2!.map((m) => m.date);
              return from(data.co2!.map((m): Item<number[]> => ({ value: columns.map((c) => m[c]) })));
            })
          : missing('co2', 'data/co2.json');
      registry.register({ ...stage, create });
    } else if (stage.name === 'spam-assassin') {
      const create: StageDefinition<object>['create'] = () => () =>
        throwError(() => new PlaygroundError('PLAYGROUND_DATA_MISSING', 'spam-assassin: the corpus (6,046 messages, 20 MB) is not shipped with the playground; run this definition with `loopflow run`'));
      registry.register({ ...stage, create });
    } else registry.register(stage);
  }
  return registry;
}
