import * as fs from 'fs';
import * as path from 'path';
import { JsonSyntaxError, parseJsonWithPositions, ValueLocation } from './json-positions';
import { DefinitionError } from './problems';
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
    throw new DefinitionError([{ code: 'FILE', path: '', message: `cannot read the definition: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, found: file }], file);
  }
  return parseDefinition(text, { ...options, file, baseDir: path.dirname(path.resolve(file)) });
}
