import * as path from 'path';
import type { StageRegistry } from '../registry/registry';
import type { PipelineDefinition } from './types';

/** True for a path that is not relative to a folder: absolute, or a URL (`https://...`). */
function isAnchored(p: string): boolean {
  return path.isAbsolute(p) || /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(p);
}

/** The first folder below the root of an absolute path (`/work` of `/work/project/runs`), or '' for the root itself. */
function topFolder(p: string): string {
  return path.relative(path.parse(p).root, p).split(path.sep)[0] ?? '';
}

/**
 * `file`, read relative to `fromDir`, as `toDir` must name it: relative to `toDir` when both
 * lie under one top folder (a project's runs/ and its data), else absolute (a run folder in
 * /tmp names /home/.../data.csv, not ../../home/...).
 */
function rebase(file: string, fromDir: string, toDir: string): string {
  if (isAnchored(file)) return file;
  const target = path.resolve(fromDir, file);
  if (topFolder(target) === '' || topFolder(target) !== topFolder(toDir)) return target;
  const relative = path.relative(toDir, target);
  return relative === '' ? '.' : path.isAbsolute(relative) ? target : relative.split(path.sep).join('/');
}

/**
 * The definition as it must be written in `toDir` to read the same files as it does from
 * `fromDir`: each relative data path (the options a stage lists in `dataPaths`, e.g. a CSV's
 * `path`) and a relative `$schema` re-written relative to `toDir` (absolute when `toDir` lies
 * under another top folder than the file). Absolute paths and URLs are kept. The definition given is not changed. A run writes its definition.json this way, and a
 * search its best.json, so `loopflow run` of either reads the data the original read.
 *
 * @example
 * relocateDefinition(definition, 'examples/sine', 'runs/sine-search-20250101-120000', registry)
 * // { stage: 'csv', path: 'data/sine.csv' } becomes { stage: 'csv', path: '../../examples/sine/data/sine.csv' }
 */
export function relocateDefinition(definition: PipelineDefinition, fromDir: string, toDir: string, registry: StageRegistry): PipelineDefinition {
  const from = path.resolve(fromDir);
  const to = path.resolve(toDir);
  if (from === to) return definition;
  const stages = definition.stages.map((entry) => {
    const keys = registry.get(entry.stage)?.dataPaths ?? [];
    if (!keys.some((k) => typeof entry[k] === 'string')) return entry;
    const moved = { ...entry };
    for (const key of keys) if (typeof moved[key] === 'string') moved[key] = rebase(moved[key] as string, from, to);
    return moved;
  });
  const schema = typeof definition.$schema === 'string' ? { $schema: rebase(definition.$schema, from, to) } : {};
  return { ...definition, ...schema, stages };
}
