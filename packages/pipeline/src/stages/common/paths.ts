import type { Stats } from 'fs';
import { filePaths, nodeBuiltin } from '../../platform/node';
import type { StageIssue } from '../../vocabulary/stage';
import { folderName, holdsText, missingPath } from '../../platform/missing-path';

/**
 * The file a data path names: relative paths are read from the definition's folder. An
 * absolute path or one leaving the folder with `..` is allowed, for reading data only; a
 * definition's paths are only ever read as data, never loaded as code.
 */
export function dataPath(baseDir: string, file: string): string {
  return filePaths().resolve(baseDir, file);
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
