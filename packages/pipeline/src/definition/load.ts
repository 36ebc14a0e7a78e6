import * as fs from 'fs';
import * as path from 'path';
import { JsonSyntaxError, parseJsonWithPositions, ValueLocation } from './json-positions';
import { DefinitionError, DefinitionProblem } from './problems';
import { folderName, holdsText, missingPath } from '../platform/missing-path';
import { checkDefinition, ValidatedDefinition, ValidateOptions } from './validate';

/** A definition read from text and validated once, with where it came from (`runPipeline` takes it as it is). */
export interface LoadedDefinition extends ValidatedDefinition {
  /** The text as read. */
  readonly text: string;
  /** Where each value sits in the text (by JSON pointer). */
  readonly locations: Map<string, ValueLocation>;
}

/**
 * Parses and validates a definition's text (the one validation pass, with line:column for
 * every problem); throws a {@link DefinitionError} listing every problem (a JSON syntax error
 * alone, since nothing else can be checked then). `checkSearch: false` leaves the search
 * block's trials unchecked (what `loopflow run` does: it ignores the search block).
 *
 * @example parseDefinition(text, { baseDir: 'examples/names', file: 'pipeline.json' })
 */
export function parseDefinition(text: string, options: Omit<ValidateOptions, 'locations'> = {}): LoadedDefinition {
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError && e.pointer !== undefined) {
      // Valid syntax, but a value the reader refuses (too deep, not a finite number): reported at its path.
      throw new DefinitionError([{ code: 'INVALID_VALUE', path: e.pointer, position: e.position, message: e.reason, found: e.found }], options.file);
    }
    if (e instanceof JsonSyntaxError) {
      throw new DefinitionError([{ code: 'JSON_SYNTAX', path: '', position: e.position, message: `not valid JSON: ${e.reason}`, found: e.found }], options.file);
    }
    throw e;
  }
  const { problems, validated } = checkDefinition(parsed.value, { ...options, baseDir, locations: parsed.locations });
  if (!validated) throw new DefinitionError(problems, options.file);
  return Object.assign(validated, { text, locations: parsed.locations });
}

/**
 * Reads a definition file; relative data paths in it are read from its folder. Throws a
 * {@link DefinitionError} for an invalid definition, a `LoopflowError` (`FILE_NOT_FOUND`)
 * when the file cannot be read.
 *
 * @example const { definition } = loadDefinition('examples/names/pipeline.json');
 */
export function loadDefinition(file: string, options: Omit<ValidateOptions, 'locations' | 'baseDir' | 'file'> = {}): LoadedDefinition {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DefinitionError([unreadableDefinition(file, e)], file);
  }
  return parseDefinition(text, { ...options, file, baseDir: path.dirname(path.resolve(file)) });
}

/** `p` as typed from the working folder (relative inside it, absolute elsewhere). */
function shown(p: string): string {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : p;
}

/**
 * The problem of a definition file that cannot be read: what is missing where (the first part
 * of the path that does not exist, in the nearest folder that does), what that folder holds,
 * the likeliest meant name, and where relative paths are read from.
 */
export function unreadableDefinition(file: string, error: unknown): DefinitionProblem {
  const absolute = path.resolve(file);
  const code = (error as NodeJS.ErrnoException).code;
  const relativeNote = path.isAbsolute(file) ? '' : ` (a relative path is read from the folder loopflow runs in, ${process.cwd()})`;
  if (code === 'EISDIR') {
    // its definition files, and those one folder down (examples/ -> examples/names-lstm/pipeline.json)
    const inside = folderListing(absolute).flatMap((n) => (n.endsWith('/') ? folderListing(path.join(absolute, n)).filter((m) => m.endsWith('.json')).map((m) => `${n}${m}`) : n.endsWith('.json') ? [n] : []));
    return {
      code: 'FILE',
      path: '',
      message: `${shown(absolute)} is a folder, not a definition file`,
      expected: 'a pipeline definition file (JSON)',
      hint: inside.length ? `pass a definition file in it: ${inside.slice(0, 12).map((n) => shown(path.join(absolute, n))).join(', ')}${inside.length > 12 ? `, and ${inside.length - 12} more` : ''}` : 'pass the definition file (a .json file) instead; this folder holds none',
    };
  }
  if (code !== 'ENOENT' && code !== 'ENOTDIR') {
    return { code: 'FILE', path: '', message: `cannot read the definition ${shown(absolute)}: ${error instanceof Error ? error.message : String(error)}`, expected: 'a readable pipeline definition file (JSON)', hint: 'check the file\'s permissions' };
  }
  const where = missingPath(absolute, (name) => name.endsWith('.json'));
  const folder = shown(where.folder) === '' ? '.' : shown(where.folder);
  const meant = where.near !== undefined ? `did you mean ${shown(path.join(where.folder, where.near))}? ` : '';
  return {
    code: 'FILE',
    path: '',
    message: `no definition file at ${shown(absolute)}: the folder ${folderName(folder)} has no '${where.missing}'`,
    expected: 'the path of a pipeline definition file (JSON)',
    hint: `${meant}${holdsText(folder, where.holds)}${relativeNote}`,
  };
}

/** The files and folders of a folder (folders with a trailing '/'), sorted; [] when it cannot be read. */
function folderListing(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
  } catch {
    return [];
  }
}
