import type { Stats } from 'fs';
import { filePaths, nodeBuiltin } from '../../platform/node';
import type { StageIssue } from '../../vocabulary/stage';

/**
 * The file a data path names: relative paths are read from the definition's folder. An
 * absolute path or one leaving the folder with `..` is allowed, for reading data only; a
 * definition's paths are only ever read as data, never loaded as code.
 */
export function dataPath(baseDir: string, file: string): string {
  return filePaths().resolve(baseDir, file);
}

/** A `FILE` issue when `file` (resolved from `baseDir`) is not a readable file. */
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
  return [
    {
      code: 'FILE',
      path: key,
      message: stat ? `${resolved} is not a file` : `the file ${resolved} does not exist`,
      expected: 'a data file (relative paths are read from the definition\'s folder)',
      found: JSON.stringify(file),
      hint: `check the path; it was resolved from ${baseDir}`,
    },
  ];
}

/** Output file names are plain names inside the run folder: no folders, no '..'. */
export const OUTPUT_FILE_SCHEMA = {
  type: 'string',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]*$',
  description: 'A file name inside the run folder (no folders).',
};
