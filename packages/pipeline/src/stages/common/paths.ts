import type { Stats } from 'fs';
import { filePaths, nodeBuiltin } from '../../platform/node';
import type { StageIssue } from '../../vocabulary/stage';
import { closest } from '../../definition/suggest';

/**
 * The file a data path names: relative paths are read from the definition's folder. An
 * absolute path or one leaving the folder with `..` is allowed, for reading data only; a
 * definition's paths are only ever read as data, never loaded as code.
 */
export function dataPath(baseDir: string, file: string): string {
  return filePaths().resolve(baseDir, file);
}

/** What is missing on the way to a path: the nearest folder that exists, the first name missing in it, what it holds, the likeliest meant name. */
export interface MissingPath {
  /** The nearest existing folder (absolute). */
  folder: string;
  /** The first name on the way that it does not have. */
  missing: string;
  /** Its files and folders (folders with a trailing '/'; hidden ones left out), sorted. */
  holds: string[];
  /** The name in it closest to `missing`, when it is likely a typo. */
  near?: string;
}

/** Walks up from a path that does not exist to the nearest folder that does (Node only). */
export function missingPath(resolved: string, keep: (name: string) => boolean = () => true): MissingPath {
  const fs = nodeBuiltin('fs', `looking for ${resolved}`);
  const paths = filePaths();
  const isFolder = (dir: string): boolean => {
    try {
      return fs.statSync(dir).isDirectory();
    } catch {
      return false;
    }
  };
  const base = (p: string): string => p.slice(paths.dirname(p).length).replace(/^[\\/]+/, '');
  let folder = paths.dirname(resolved);
  let missing = base(resolved);
  while (!isFolder(folder) && paths.dirname(folder) !== folder) {
    missing = base(folder);
    folder = paths.dirname(folder);
  }
  let holds: string[] = [];
  try {
    holds = fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || keep(e.name)))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
  } catch {
    holds = [];
  }
  const near = closest(missing, holds.map((n) => n.replace(/\/$/, '')));
  return { folder, missing, holds, ...(near !== undefined ? { near } : {}) };
}

/** A folder's name with its trailing separator: `data/`. */
export function folderName(folder: string): string {
  return folder.endsWith('/') || folder.endsWith('\\') ? folder : `${folder}/`;
}

/** "dir/ holds a, b, c" (at most 12 names). */
export function holdsText(folder: string, holds: readonly string[]): string {
  const shown = folderName(folder);
  return holds.length ? `${shown} holds ${holds.slice(0, 12).join(', ')}${holds.length > 12 ? `, and ${holds.length - 12} more` : ''}` : `${shown} is empty`;
}

/** A `FILE` issue when `file` (resolved from `baseDir`) is not a readable file: what is missing where, and what is there. */
export function checkDataFile(baseDir: string, file: string, key = '/path'): StageIssue[] {
  const resolved = dataPath(baseDir, file);
  const fs = nodeBuiltin('fs', `checking the data file ${resolved}`);
  let stat: Stats | undefined;
  try {
    stat = fs.statSync(resolved);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile()) return [];
  const from = `relative paths are read from the definition's folder, ${baseDir}`;
  if (stat) {
    return [{ code: 'FILE', path: key, message: `${resolved} is a folder, not a data file`, expected: 'a data file', found: JSON.stringify(file), hint: `name a file in it (${from})` }];
  }
  const where = missingPath(resolved);
  return [
    {
      code: 'FILE',
      path: key,
      message: `no data file at ${resolved}: the folder ${folderName(where.folder)} has no '${where.missing}'`,
      expected: 'the path of a data file',
      found: JSON.stringify(file),
      hint: `${where.near !== undefined ? `did you mean '${where.near}'? ` : ''}${holdsText(where.folder, where.holds)} (${from})`,
    },
  ];
}

/** Output file names are plain names inside the run folder: no folders, no '..'. */
export const OUTPUT_FILE_SCHEMA = {
  type: 'string',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$',
  description: 'A file name inside the run folder (no folders).',
};
