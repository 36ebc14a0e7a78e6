/**
 * Finds the case handlers: every module in tools/conformance/cases/ that exports
 * `handlers: CaseHandler[]`. Adding a handler is adding a file; there is no list to edit.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CaseHandler } from './types';

/** The folder the runner loads handlers from by default. */
export const CASES_DIR = path.join(__dirname, 'cases');

/** A handler and the module that exported it (its file name, e.g. 'layernorm.ts'). */
export interface LoadedHandler {
  handler: CaseHandler;
  module: string;
}

/** A module of the cases folder that could not be used, and why. */
export interface HandlerModuleProblem {
  module: string;
  reason: string;
}

/** Everything found in a cases folder. */
export interface HandlerSet {
  handlers: LoadedHandler[];
  problems: HandlerModuleProblem[];
}

/** Source modules that hold handlers: .ts/.js files, not specs, tests or declarations. */
export function isHandlerModule(fileName: string): boolean {
  if (!/\.(ts|js|cjs)$/.test(fileName)) return false;
  return !/\.(spec|test)\.(ts|js|cjs)$/.test(fileName) && !fileName.endsWith('.d.ts');
}

function describeHandlerProblem(value: unknown, index: number): string | null {
  if (typeof value !== 'object' || value === null) return `handlers[${index}] is ${value === null ? 'null' : typeof value}; expected { description, matches, run }`;
  const h = value as Partial<CaseHandler>;
  if (typeof h.matches !== 'function') return `handlers[${index}] has no matches(caseName) function`;
  if (typeof h.run !== 'function') return `handlers[${index}] has no run(golden, context) function`;
  if (typeof h.description !== 'string') return `handlers[${index}] has no description string`;
  return null;
}

/**
 * Requires every handler module of `dir` (sorted by name) and collects the exported
 * `handlers`. A module that fails to load or exports no valid `handlers` array is listed in
 * `problems` (the runner reports it as FAIL) instead of stopping the others. A missing
 * folder holds no handlers.
 *
 * @example
 * const { handlers } = loadHandlers(); // from tools/conformance/cases
 */
export function loadHandlers(dir: string = CASES_DIR): HandlerSet {
  const set: HandlerSet = { handlers: [], problems: [] };
  if (!fs.existsSync(dir)) return set;
  for (const module of fs.readdirSync(dir).filter(isHandlerModule).sort()) {
    let exported: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(path.join(dir, module));
    } catch (e) {
      const err = e as Error;
      set.problems.push({ module, reason: `handler module ${module} failed to load: ${err && err.message ? err.message : String(e)}` });
      continue;
    }
    const handlers = (exported as { handlers?: unknown }).handlers;
    if (!Array.isArray(handlers)) {
      set.problems.push({ module, reason: `handler module ${module} exports no 'handlers' array; export const handlers: CaseHandler[] = [...] (see tools/conformance/types.ts)` });
      continue;
    }
    handlers.forEach((h, i) => {
      const problem = describeHandlerProblem(h, i);
      if (problem) set.problems.push({ module, reason: `handler module ${module}: ${problem}` });
      else set.handlers.push({ handler: h as CaseHandler, module });
    });
  }
  return set;
}
