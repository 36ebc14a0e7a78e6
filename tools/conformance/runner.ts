/**
 * The conformance runner: runs every golden file of a folder through the handler that
 * claims its case and compares the results. Pure apart from reading files: it prints
 * nothing and returns the results; cli.ts prints them and sets the exit code.
 */
import * as path from 'path';
import { LoopflowError } from '@loopflow/tensor';
import type { DType } from '@loopflow/tensor';
import { TensorComparison, compareTensor, defaultTolerance, describeMismatch } from './compare';
import { LoadedHandler, loadHandlers } from './discover';
import { ConformanceUsageError, GoldenFormatError } from './errors';
import { listGoldenFiles, loadGolden } from './load';
import type { CaseOutcome, Golden, Tolerance } from './types';

export type CaseStatus = 'PASS' | 'FAIL' | 'SKIP';

/** The result of one golden file (or of one handler module that could not be used). */
export interface CaseResult {
  /** The case name; the file name when the file has none readable; the module for a broken handler module. */
  name: string;
  /** The golden file; absent for a broken handler module. */
  file?: string;
  status: CaseStatus;
  /** Why it failed or was skipped. */
  reason?: string;
  /** Largest absolute / relative error over every compared tensor (absent when nothing was compared). */
  maxAbs?: number;
  maxRel?: number;
  /** One entry per compared tensor. */
  tensors: TensorComparison[];
  /** The module of the handler that ran the case, e.g. 'layernorm.ts'. */
  handler?: string;
  dtype: DType;
  /** Time the handler took, in milliseconds. */
  ms?: number;
  /** A stack trace for an unexpected error inside a handler (printed only with --verbose). */
  detail?: string;
}

/** Options of `runConformance`. */
export interface RunnerOptions {
  /** The dtype handlers run in; 'float32' by default. */
  dtype?: DType;
  /** Keep only cases whose name (or file name) contains this string, or matches it as a glob (`*`, `?`). Several: any. */
  filter?: string | readonly string[];
  /** Use these handlers instead of discovering them. */
  handlers?: readonly LoadedHandler[];
  /** Discover handlers in this folder instead of tools/conformance/cases. */
  casesDir?: string;
}

/** Everything a run found. */
export interface RunReport {
  folder: string;
  dtype: DType;
  /** Golden files (*.json) in the folder, before filtering. */
  fileCount: number;
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** True when `name` contains `pattern`, or, for a pattern with `*` or `?`, matches it as a whole. */
export function matchesFilter(name: string, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return name.includes(pattern);
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

function errorReason(e: unknown): { reason: string; detail?: string } {
  if (e instanceof GoldenFormatError) return { reason: `golden file invalid: ${e.message}` };
  if (e instanceof LoopflowError) return { reason: `${e.name} [${e.code}]: ${e.message}` };
  if (e instanceof Error) return { reason: `handler threw ${e.name}: ${e.message}`, detail: e.stack };
  return { reason: `handler threw ${String(e)}` };
}

function isTolerance(t: unknown): t is Tolerance {
  const v = t as Tolerance;
  return typeof v === 'object' && v !== null && v.atol >= 0 && v.rtol >= 0;
}

/** Why an outcome returned by a handler is unusable, or null. */
function outcomeProblem(outcome: unknown): string | null {
  const o = outcome as CaseOutcome;
  if (typeof o !== 'object' || o === null) return `handler returned ${String(outcome)}; expected { status: 'ran', comparisons } or { status: 'skip', reason }`;
  if (o.status === 'skip') return typeof o.reason === 'string' ? null : `handler skipped without a reason string`;
  if (o.status !== 'ran') return `handler returned status ${JSON.stringify((o as { status?: unknown }).status)}; expected 'ran' or 'skip'`;
  if (!Array.isArray(o.comparisons) || o.comparisons.length === 0) return `handler compared nothing (empty comparisons); a case must compare at least one tensor`;
  if (o.tolerance !== undefined && !isTolerance(o.tolerance)) return `handler returned an invalid tolerance ${JSON.stringify(o.tolerance)}; expected { atol >= 0, rtol >= 0 }`;
  for (const [i, c] of o.comparisons.entries()) {
    const bad = !c || typeof c.name !== 'string' || typeof c.actual?.length !== 'number' || typeof c.expected?.length !== 'number';
    if (bad) return `comparisons[${i}] is not { name, actual, expected } with array values`;
    if (c.tolerance !== undefined && !isTolerance(c.tolerance)) return `comparisons[${i}] (${c.name}) has an invalid tolerance ${JSON.stringify(c.tolerance)}`;
  }
  return null;
}

async function runCase(golden: Golden, file: string, handlers: readonly LoadedHandler[], dtype: DType): Promise<CaseResult> {
  const base = { name: golden.case, file, dtype, tensors: [] as TensorComparison[] };
  let claiming: LoadedHandler[];
  try {
    claiming = handlers.filter((h) => h.handler.matches(golden.case));
  } catch (e) {
    return { ...base, status: 'FAIL', reason: `a handler's matches('${golden.case}') threw: ${(e as Error)?.message ?? String(e)}` };
  }
  if (claiming.length === 0) {
    return { ...base, status: 'SKIP', reason: `no handler for case '${golden.case}' (not implemented yet)` };
  }
  if (claiming.length > 1) {
    const modules = claiming.map((h) => h.module).join(', ');
    return { ...base, status: 'FAIL', reason: `case '${golden.case}' is claimed by ${claiming.length} handlers (${modules}); exactly one must match` };
  }
  const { handler, module } = claiming[0];
  const started = performance.now();
  let outcome: CaseOutcome;
  try {
    outcome = await handler.run(golden, { dtype });
  } catch (e) {
    return { ...base, handler: module, ms: performance.now() - started, status: 'FAIL', ...errorReason(e) };
  }
  const ms = performance.now() - started;
  const problem = outcomeProblem(outcome);
  if (problem) return { ...base, handler: module, ms, status: 'FAIL', reason: problem };
  if (outcome.status === 'skip') return { ...base, handler: module, ms, status: 'SKIP', reason: outcome.reason };

  const caseTolerance = outcome.tolerance ?? defaultTolerance(dtype);
  const tensors = outcome.comparisons.map((c) =>
    compareTensor(c.name, c.actual, c.expected, c.tolerance ?? caseTolerance, c.shape ?? golden.tensors[c.name]?.shape),
  );
  const maxAbs = Math.max(...tensors.map((t) => t.maxAbs));
  const maxRel = Math.max(...tensors.map((t) => t.maxRel));
  const failing = tensors.filter((t) => !t.pass);
  if (failing.length === 0) return { ...base, handler: module, ms, tensors, maxAbs, maxRel, status: 'PASS' };
  return { ...base, handler: module, ms, tensors, maxAbs, maxRel, status: 'FAIL', reason: failing.map(describeMismatch).join('; ') };
}

/**
 * Runs every golden file (*.json) of `folder`: each case goes to the one handler that claims
 * its name and is compared tensor by tensor. Unknown cases are SKIP; invalid files, handler
 * errors, broken handler modules and values out of tolerance are FAIL. Results follow the
 * file names' order; broken handler modules come first.
 * Throws ConformanceUsageError when the folder does not exist.
 *
 * @example
 * const report = await runConformance('goldens/pytorch', { dtype: 'float32', filter: 'lstm*' });
 * report.failed; // 0
 */
export async function runConformance(folder: string, options: RunnerOptions = {}): Promise<RunReport> {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConformanceUsageError(`dtype '${String(dtype)}' is not supported; use float32 or float64`);
  }
  const filters = options.filter === undefined ? [] : typeof options.filter === 'string' ? [options.filter] : options.filter.slice();
  const selected = (names: string[]) => filters.length === 0 || filters.some((f) => names.some((n) => matchesFilter(n, f)));

  const files = listGoldenFiles(folder);
  const results: CaseResult[] = [];
  let handlers: readonly LoadedHandler[];
  if (options.handlers) {
    handlers = options.handlers;
  } else {
    const found = loadHandlers(options.casesDir);
    handlers = found.handlers;
    for (const p of found.problems) results.push({ name: p.module, status: 'FAIL', reason: p.reason, dtype, tensors: [] });
  }

  for (const file of files) {
    const fileName = path.basename(file, path.extname(file));
    const loaded = loadGolden(file);
    if (!loaded.ok) {
      const name = loaded.caseName ?? path.basename(file);
      if (selected([name, fileName])) results.push({ name, file, status: 'FAIL', reason: `${path.basename(file)}: ${loaded.reason}`, dtype, tensors: [] });
      continue;
    }
    if (!selected([loaded.golden.case, fileName])) continue;
    results.push(await runCase(loaded.golden, file, handlers, dtype));
  }
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  return { folder, dtype, fileCount: files.length, results, passed: count('PASS'), failed: count('FAIL'), skipped: count('SKIP') };
}
