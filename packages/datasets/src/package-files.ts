import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '@loopflow/data';

/**
 * The folder of an installed npm package, found by walking up `node_modules` folders from
 * this file and from the working directory (no network, no `require.resolve`, which some
 * packages' `exports` forbid for data files).
 */
export function packageDir(name: string): string {
  const starts = [__dirname, process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new DataError('DATA_DATASET_MISSING', `dataset package ${name} is not installed (searched node_modules above ${starts.join(' and ')}); install it with npm install ${name}`, {
    expected: `an installed ${name}`,
    received: 'nothing',
  });
}

/** A JSON file inside an installed package. */
export function readPackageJson<T>(name: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(packageDir(name), file), 'utf8')) as T;
}

/** Where a dataset comes from, under which licence, and how big it is. */
export interface DatasetInfo {
  /** Short name, e.g. 'spam-assassin'. */
  readonly name: string;
  /** The npm package it is read from, with its installed version. */
  readonly package: string;
  readonly version: string;
  /** The original source(s), as the package's metadata names them. */
  readonly sources: readonly string[];
  /** The licence, as the package's metadata states it. */
  readonly licence: string;
  /** What the loader returns, in numbers. */
  readonly size: string;
}

interface PackageJson {
  version: string;
}

/** Package version plus the fields of its datapackage.json that describe the data. */
export function packageMeta(name: string): { version: string; datapackage: Record<string, unknown> } {
  return { version: readPackageJson<PackageJson>(name, 'package.json').version, datapackage: readPackageJson<Record<string, unknown>>(name, 'datapackage.json') };
}
