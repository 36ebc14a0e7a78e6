import * as path from 'path';
import { DefinitionError, DefinitionProblem, formatProblems, loadDefinition, LoadedDefinition, ValidateOptions } from '@loopflow/pipeline';
import type { CliIO } from '../io';
import { UsageError } from '../args';
import type { OptionSpec } from '../args';

/** The `--json` flag every command that supports it takes. */
export const JSON_OPTION: OptionSpec = { type: 'flag', description: 'Newline-delimited JSON on stdout: one event per line while running, a result object last (packages/cli/README.md).' };

/** `--memory-limit <MB>` of `run` and `validate`: the memory limit of validation's estimate, over the definition's `memoryLimitMB`. */
export const MEMORY_LIMIT_OPTION: OptionSpec = {
  type: 'number',
  value: '<MB>',
  description: "Memory (MB) training may plan to use, over the definition's memoryLimitMB (default: 75% of this machine's memory): a model whose estimate exceeds it is refused.",
};

/** The `--memory-limit` value as validation's option (none when not given); a usage error unless a whole number >= 1. */
export function memoryLimitOf(options: Record<string, unknown>): Pick<ValidateOptions, 'memoryLimitMB'> {
  const mb = options['memory-limit'];
  if (mb === undefined) return {};
  if (typeof mb !== 'number' || !Number.isInteger(mb) || mb < 1 || mb > 1073741824) {
    throw new UsageError(`--memory-limit must be a whole number of MB in [1, 1073741824], got ${String(mb)}`, 'e.g. --memory-limit 65536 (64 GB)');
  }
  return { memoryLimitMB: mb };
}

/** The one positional argument a command needs (a file or folder). */
export function onePath(positionals: string[], what: string, command: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}`, `loopflow ${command} <${what}>`);
  if (positionals.length > 1) throw new UsageError(`one ${what} expected, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

/** A definition problem as JSON data: the file and line:column with the problem's fields. */
export function problemJson(problem: DefinitionProblem, file: string): Record<string, unknown> {
  const { position, ...rest } = problem;
  return { file, ...(position ? { line: position.line, column: position.column } : {}), ...rest };
}

/**
 * Loads and validates a definition (the one validation pass of the command, with line:column).
 * Returns the loaded definition, or the problems of an invalid one.
 */
export function loadChecked(file: string, io: CliIO, options: Pick<ValidateOptions, 'checkSearch' | 'memoryLimitMB'> = {}): { loaded: LoadedDefinition } | { problems: DefinitionProblem[] } {
  try {
    return { loaded: loadDefinition(path.resolve(io.cwd, file), options) };
  } catch (e) {
    if (e instanceof DefinitionError) return { problems: e.problems };
    throw e;
  }
}

/**
 * Loads and validates a definition; prints its problems (relative file name) and returns null
 * when it is invalid. `checkSearch: false` leaves the search block's trials unchecked (`run`
 * ignores the block).
 */
export function loadOrReport(file: string, io: CliIO, options: Pick<ValidateOptions, 'checkSearch'> = {}): LoadedDefinition | null {
  const checked = loadChecked(file, io, options);
  if ('loaded' in checked) return checked.loaded;
  io.stderr.write(`${formatProblems(checked.problems, file)}\n`);
  return null;
}

/** A thrown value's message without a stack trace. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A thrown value's code and message, as JSON data. */
export function errorJson(e: unknown): { code?: string; message: string } {
  const code = (e as { code?: unknown })?.code;
  return { ...(typeof code === 'string' ? { code } : {}), message: messageOf(e) };
}
