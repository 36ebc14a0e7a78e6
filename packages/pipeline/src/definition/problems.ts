import { LoopflowError } from '@loopflow/tensor';
import type { TextPosition } from './json-positions';

/**
 * The kinds of problem a definition can have:
 * - `JSON_SYNTAX`: the file is not valid JSON;
 * - `UNKNOWN_KEY`: a key the schema does not define (often a typo);
 * - `MISSING_KEY`: a required key is absent;
 * - `WRONG_TYPE`: a value of the wrong JSON type (a string where a number belongs...);
 * - `INVALID_VALUE`: the right type but out of range, not one of the allowed values...;
 * - `UNKNOWN_STAGE`: a stage name the registry does not know (never loaded from a file);
 * - `KIND_MISMATCH`: a stage whose input does not fit the previous stage's output;
 * - `PIPELINE_SHAPE`: a stage missing or out of order (no source first, no train stage...);
 * - `STAGE_OPTIONS`: options a stage's factory refused (a combination the schema cannot express);
 * - `SEARCH`: a search block naming a field that does not exist, or values the definition refuses;
 * - `FILE`: a file a stage reads is missing;
 * - `MEMORY`: training the model would need more memory than the limit (`memoryLimitMB`, or a share of this machine's).
 */
export type ProblemCode =
  | 'JSON_SYNTAX'
  | 'UNKNOWN_KEY'
  | 'MISSING_KEY'
  | 'WRONG_TYPE'
  | 'INVALID_VALUE'
  | 'UNKNOWN_STAGE'
  | 'KIND_MISMATCH'
  | 'PIPELINE_SHAPE'
  | 'STAGE_OPTIONS'
  | 'SEARCH'
  | 'FILE'
  | 'MEMORY';

/**
 * One problem of a definition, as data: where (a JSON pointer into the file, and the line and
 * column when the text is known), what was expected, what was found, and a hint.
 */
export interface DefinitionProblem {
  code: ProblemCode;
  /** JSON pointer of the offending value: `/stages/3/hiddenSize` (`''` = the whole file). */
  path: string;
  /** Where it is in the file (1-based), when the definition was read from text. */
  position?: TextPosition;
  /** What is wrong, in one sentence. */
  message: string;
  /** What the definition should hold there. */
  expected?: string;
  /** What it holds. */
  found?: string;
  /** What to do (e.g. "did you mean 'hiddenSize'?"). */
  hint?: string;
}

/**
 * A definition that cannot run: every problem found, all at once. `code` is
 * `INVALID_DEFINITION`; `problems` holds the details as data; the message lists them.
 *
 * @example
 * try { loadDefinition('pipeline.json'); } catch (e) {
 *   if (e instanceof DefinitionError) for (const p of e.problems) console.log(p.path, p.message);
 * }
 */
export class DefinitionError extends LoopflowError {
  constructor(
    readonly problems: DefinitionProblem[],
    readonly file?: string,
  ) {
    super('INVALID_DEFINITION', formatProblems(problems, file));
    this.name = 'DefinitionError';
  }
}

/**
 * Formats problems for a terminal, one block each:
 * `pipeline.json:12:7 /stages/6/hidenSize: unknown key 'hidenSize' ... \n    hint: ...`.
 */
export function formatProblems(problems: readonly DefinitionProblem[], file?: string): string {
  const lines: string[] = [`${problems.length} problem${problems.length === 1 ? '' : 's'}${file ? ` in ${file}` : ''}:`];
  for (const p of problems) {
    const where = [file ?? '', p.position ? `${p.position.line}:${p.position.column}` : ''].filter(Boolean).join(':');
    // a file that cannot be read has no place inside it: the file name alone
    let line = p.path === '' && p.code === 'FILE' && where ? `  ${where}: ${p.message}` : `  ${where ? `${where} ` : ''}${p.path || '(root)'}: ${p.message}`;
    const detail: string[] = [];
    if (p.expected !== undefined) detail.push(`expected ${p.expected}`);
    if (p.found !== undefined) detail.push(`found ${p.found}`);
    if (detail.length) line += `; ${detail.join(', ')}`;
    lines.push(line);
    if (p.hint) lines.push(`      hint: ${p.hint}`);
  }
  return lines.join('\n');
}

