import * as path from 'path';
import { DefinitionError, formatProblems, loadDefinition, LoadedDefinition, ValidateOptions } from '@loopflow/pipeline';
import type { CliIO } from '../io';
import { UsageError } from '../args';

/** The one positional argument a command needs (a file or folder). */
export function onePath(positionals: string[], what: string, command: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`, `loopflow ${command} <${what}>`);
  if (positionals.length > 1) throw new UsageError(`one ${what} expected, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

/**
 * Loads and validates a definition (the one validation pass of the command, with line:column);
 * prints its problems (relative file name) and returns null when it is invalid.
 * `checkSearch: false` leaves the search block's trials unchecked (`run` ignores the block).
 */
export function loadOrReport(file: string, io: CliIO, options: Pick<ValidateOptions, 'checkSearch'> = {}): LoadedDefinition | null {
  const absolute = path.resolve(io.cwd, file);
  try {
    return loadDefinition(absolute, options);
  } catch (e) {
    if (e instanceof DefinitionError) {
      io.stderr.write(`${formatProblems(e.problems, file)}\n`);
      return null;
    }
    throw e;
  }
}

/** A thrown value's message without a stack trace. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
