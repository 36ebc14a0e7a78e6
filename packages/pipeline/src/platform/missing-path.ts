import { filePaths, nodeBuiltin } from './node';
import { closest } from '../vocabulary/suggest';

// What is missing on the way to a path, for the errors of a missing definition (load.ts) and of
// a missing data file (stages/common/paths.ts): here, below both, so that neither definition/
// nor stages/ import each other for it (pipeline's folders have no import cycle: layering.spec.ts).

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

