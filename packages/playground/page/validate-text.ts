/**
 * Validation as you type: the text parsed with positions and checked by @loopflow/pipeline's
 * one validation pass (`checkDefinition`: the registry's composed ajv schema in strict mode,
 * the order of stages, each stage's options) — the code `loopflow validate` runs — with the
 * page's registry. Files are not checked (a page has none); everything else is.
 */
import { checkDefinition, JsonSyntaxError, parseJsonWithPositions } from '@loopflow/pipeline/browser';
import type { DefinitionProblem, StageRegistry } from '@loopflow/pipeline/browser';

export function validateText(text: string, registry: StageRegistry): DefinitionProblem[] {
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError && e.pointer !== undefined) return [{ code: 'INVALID_VALUE', path: e.pointer, position: e.position, message: e.reason, found: e.found }];
    if (e instanceof JsonSyntaxError) return [{ code: 'JSON_SYNTAX', path: '', position: e.position, message: `not valid JSON: ${e.reason}`, found: e.found }];
    throw e;
  }
  return checkDefinition(parsed.value, { registry, baseDir: '/', checkFiles: false, locations: parsed.locations }).problems;
}

/** One problem as a line of text: `line:column path: message; expected …, found … (hint: …)`. */
export function describeProblem(p: DefinitionProblem): { at: string; text: string } {
  const detail: string[] = [];
  if (p.expected !== undefined) detail.push(`expected ${p.expected}`);
  if (p.found !== undefined) detail.push(`found ${p.found}`);
  const text = `${p.path || '(root)'}: ${p.message}${detail.length ? `; ${detail.join(', ')}` : ''}${p.hint ? ` (hint: ${p.hint})` : ''}`;
  return { at: p.position ? `${p.position.line}:${p.position.column}` : '–', text };
}
