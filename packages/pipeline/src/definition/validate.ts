import { LoopflowError, nodeModule } from '@loopflow/tensor';
import type { StageRegistry } from '../registry/registry';
import { StageContext, StageOptionsError } from '../vocabulary/stage';
import { defaultRegistry } from '../stages/default-registry';
import type { ValueLocation } from './json-positions';
import { DefinitionError, DefinitionProblem } from './problems';
import type { PipelineDefinition } from './types';
import { problemsFromAjv } from './ajv-problems';
import { compiledSchema } from './compile';
import { checkStages, StagePlan } from './check-stages';
import { isWithin, pointerSegments, toPointer } from './pointer';
import { planTrials, resolveField } from './search-space';
import { memoryProblem } from './memory-estimate';
import { filePaths } from '../platform/node';

/** Options of {@link validateDefinition}. */
export interface ValidateOptions {
  /** The stages a definition may name (default: the built-in ones). */
  registry?: StageRegistry;
  /** The definition's folder: relative data paths are checked from here (default: the working folder). */
  baseDir?: string;
  /** Where each value sits in the file, to give line:column. */
  locations?: Map<string, ValueLocation>;
  /** Check that data files exist (default true). */
  checkFiles?: boolean;
  /** Also validate every trial of the search block (default true; a run does not: `run` ignores the search block). */
  checkSearch?: boolean;
  /** The file the definition was read from, for messages. */
  file?: string;
  /**
   * This machine's memory in bytes (default: `os.totalmem()` in Node; in a page, the browser's
   * `navigator.deviceMemory` hint, else 4 GiB): the default memory limit is 75% of it.
   */
  totalMemory?: number;
  /**
   * The memory limit in MB, over the definition's own `memoryLimitMB` (the CLI's
   * `--memory-limit <MB>`): raise it on a machine that has the memory, or lower it.
   */
  memoryLimitMB?: number;
}

/**
 * A definition that passed the one validation pass, with what that pass learned: where it
 * came from (its folder, file and the positions of its values, so a problem found later still
 * points at line:column), the registry its stage names resolved in, and each stage's plan (the
 * registered stage, the kind it reads, the task). `runPipeline` takes it and does not validate
 * again; made only by {@link checkDefinition} (which `validatedDefinition`, `parseDefinition`
 * and `loadDefinition` call).
 * Treat it as read-only: a definition changed after validation is validated again when it runs.
 */
export interface ValidatedDefinition {
  readonly definition: PipelineDefinition;
  /** The folder relative data paths are read from (absolute). */
  readonly baseDir: string;
  /** The file, when read from one. */
  readonly file?: string;
  /** Where each value sits in the text (by JSON pointer), when read from text. */
  readonly locations?: Map<string, ValueLocation>;
  /** The stages its names resolved in. */
  readonly registry: StageRegistry;
  /** What the validation learned about each stage, in order. */
  readonly plans: readonly StagePlan[];
  /** Whether the search block's trials were validated too (`validate` and `search` do; `run` need not). */
  readonly searchChecked: boolean;
}

/** The definitions validated by this module, with their JSON when validated (to notice a later change). */
const validated = new WeakMap<object, string>();

/**
 * Whether `value` is a {@link ValidatedDefinition} made here whose definition has not changed
 * since (then it need not be validated again).
 */
export function isStillValid(value: unknown): value is ValidatedDefinition {
  if (value === null || typeof value !== 'object') return false;
  const text = validated.get(value);
  return text !== undefined && text === JSON.stringify((value as ValidatedDefinition).definition);
}

/** The location of a problem: the key of an unknown key, else the value, else the nearest located parent. */
export function locate(problem: DefinitionProblem, locations?: Map<string, ValueLocation>): DefinitionProblem {
  if (!locations || problem.position) return problem;
  const direct = locations.get(problem.path);
  if (direct) return { ...problem, position: problem.code === 'UNKNOWN_KEY' ? (direct.key ?? direct.value) : direct.value };
  const segments = pointerSegments(problem.path);
  for (let n = segments.length - 1; n >= 0; n--) {
    const found = locations.get(toPointer(segments.slice(0, n)));
    if (found) return { ...problem, position: found.value };
  }
  return problem;
}

function order(problems: DefinitionProblem[]): DefinitionProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const pa = a.p.position;
      const pb = b.p.position;
      if (pa && pb) return pa.line - pb.line || pa.column - pb.column || a.i - b.i;
      return a.i - b.i;
    })
    .map(({ p }) => p);
}

/** A context for calling factories without running anything (no run folder, events dropped). */
export function dryContext(definition: PipelineDefinition, baseDir: string, index: number, task: StageContext['task'], fields?: readonly string[]): StageContext {
  return { baseDir, runDir: null, seed: definition.seed ?? 0, dataSeed: definition.dataSeed ?? definition.seed ?? 0, name: definition.name, path: `/stages/${index}`, task, artifacts: {}, ...(fields ? { fields } : {}), emit: () => undefined };
}

/**
 * The problem a stage's factory (or its `check`) raised, at the stage's path: a
 * {@link StageOptionsError} at the option it names, anything else at the stage.
 */
export function stageFactoryProblem(plan: StagePlan, error: unknown): DefinitionProblem {
  const at = `/stages/${plan.index}`;
  if (error instanceof StageOptionsError) {
    return { code: 'STAGE_OPTIONS', path: `${at}${error.detail.path ?? ''}`, message: `${plan.stage.name}: ${error.message}`, expected: error.detail.expected, found: error.detail.found, hint: error.detail.hint };
  }
  return { code: 'STAGE_OPTIONS', path: at, message: `${plan.stage.name}: ${error instanceof LoopflowError || error instanceof Error ? error.message : String(error)}` };
}

/** What {@link checkDefinition} found: every problem, located and in file order, and the validated definition when there is none. */
export interface DefinitionCheck {
  problems: DefinitionProblem[];
  validated: ValidatedDefinition | null;
}

/**
 * The one validation pass: every problem of a definition, all at once — the composed schema
 * (unknown keys, wrong types, unknown stages, values out of range), the order of stages (input
 * and output kinds), each stage's static `check` (missing data files) and the options its
 * factory refuses (`create` called with a context that runs nothing), and, unless
 * `checkSearch` is false, the search block (fields that do not resolve, values the definition
 * refuses). Nothing is run and nothing is loaded: stage names resolve only through the
 * registry. Each problem gets its line:column from `locations`. With no problem, `validated`
 * holds the definition and what the pass learned, for `runPipeline`.
 */
export function checkDefinition(value: unknown, options: ValidateOptions = {}): DefinitionCheck {
  const registry = options.registry ?? defaultRegistry();
  // Node: relative to the working directory; a page: the POSIX name rooted at '/'.
  const baseDir = filePaths().resolve(options.baseDir ?? '.');
  const { schema, validate } = compiledSchema(registry);
  const problems: DefinitionProblem[] = [];
  if (!validate(value)) problems.push(...problemsFromAjv(validate.errors ?? [], value, schema));
  const definition = value as PipelineDefinition;
  const stages = value !== null && typeof value === 'object' && Array.isArray(definition.stages) ? definition.stages : [];
  const structure = checkStages(stages, registry);
  problems.push(...structure.problems);

  // the record keys a source's file gives (a CSV header), handed on to the stages that name fields
  let fields: readonly string[] | undefined;
  for (const plan of structure.plans) {
    const at = `/stages/${plan.index}`;
    const known = fields;
    fields = plan.stage.output === 'same' ? known : undefined;
    if (problems.some((p) => isWithin(p.path, at) && p.code !== 'KIND_MISMATCH' && p.code !== 'PIPELINE_SHAPE')) continue; // the schema already refused its options
    const { stage: _name, ...stageOptions } = stages[plan.index];
    const ctx = dryContext(definition, baseDir, plan.index, plan.task, options.checkFiles !== false ? known : undefined);
    try {
      if (options.checkFiles !== false && plan.stage.fields) fields = plan.stage.fields(stageOptions, ctx);
    } catch {
      fields = undefined;
    }
    try {
      if (options.checkFiles !== false && plan.stage.check) {
        for (const issue of plan.stage.check(stageOptions, ctx)) {
          problems.push({ code: issue.code ?? 'STAGE_OPTIONS', path: `${at}${issue.path}`, message: issue.message, expected: issue.expected, found: issue.found, hint: issue.hint });
        }
      }
      plan.stage.create(stageOptions, ctx);
    } catch (e) {
      problems.push(stageFactoryProblem(plan, e));
    }
  }

  // the memory the training would need, once the options themselves are sound
  if (problems.length === 0) {
    const memory = memoryProblem(definition, options.totalMemory ?? machineMemory(), options.memoryLimitMB);
    if (memory) problems.push(memory);
  }

  const searchChecked = options.checkSearch !== false;
  const hasSearch = value !== null && typeof value === 'object' && !Array.isArray(value) && definition.search !== undefined;
  if (hasSearch && searchChecked) {
    if (problems.length === 0) problems.push(...checkSearch(definition, { ...options, registry, baseDir }));
    // with other problems, still the search block's own (fields that do not resolve, values that make a searched option invalid), unless its shape is wrong
    else if (!problems.some((p) => isWithin(p.path, '/search'))) problems.push(...searchFieldProblems(definition, { ...options, registry, baseDir }));
  }
  const located = order(problems.map((p) => locate(p, options.locations)));
  if (located.length) return { problems: located, validated: null };
  const result: ValidatedDefinition = {
    definition,
    baseDir,
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.locations ? { locations: options.locations } : {}),
    registry,
    plans: structure.plans,
    searchChecked,
  };
  validated.set(result, JSON.stringify(definition));
  return { problems: [], validated: result };
}

/**
 * Every problem of a definition, all at once (see {@link checkDefinition}, the one pass it
 * runs). An empty array means the definition is valid.
 *
 * @example
 * const problems = validateDefinition(JSON.parse(text), { baseDir: path.dirname(file) });
 * if (problems.length) console.error(formatProblems(problems, file));
 */
export function validateDefinition(value: unknown, options: ValidateOptions = {}): DefinitionProblem[] {
  return checkDefinition(value, options).problems;
}

/**
 * The definition validated (once), ready for `runPipeline`; throws a {@link DefinitionError}
 * listing every problem.
 *
 * @example
 * const valid = validatedDefinition(definition, { baseDir: 'examples/names' });
 * runPipeline(valid).subscribe(...);
 */
export function validatedDefinition(value: unknown, options: ValidateOptions = {}): ValidatedDefinition {
  const { problems, validated: result } = checkDefinition(value, options);
  if (!result) throw new DefinitionError(problems, options.file);
  return result;
}

/**
 * The search block's own problems in a definition that has others: fields that do not
 * resolve, empty ranges, and the trials' problems at a searched option (`windows.lookBackk`:
 * an unknown key in every trial); the trials' other problems are the definition's own.
 */
function searchFieldProblems(definition: PipelineDefinition, options: ValidateOptions): DefinitionProblem[] {
  try {
    return checkSearch(definition, options, true);
  } catch {
    return []; // a definition too broken to plan trials from: its other problems say why
  }
}

/** Validates each planned trial; a problem a trial has (and the base has not) is reported at the search field that caused it. */
function checkSearch(definition: PipelineDefinition, options: ValidateOptions, onlySearched = false): DefinitionProblem[] {
  const { trials, problems } = planTrials(definition);
  if (problems.length) return problems;
  const fields = Object.keys(definition.search?.parameters ?? {});
  const pointers = fields.map((f) => {
    const r = resolveField(definition, f);
    return 'pointer' in r ? r.pointer : f;
  });
  const out: DefinitionProblem[] = [];
  const seen = new Set<string>();
  for (const trial of trials) {
    for (const p of validateDefinition(trial.definition, { ...options, locations: undefined, checkSearch: false, checkFiles: false })) {
      const at = pointers.findIndex((pointer) => isWithin(p.path, pointer));
      if (onlySearched && at < 0) continue; // the definition's own problem, reported as such
      const field = fields[at >= 0 ? at : 0];
      const key = `${field}|${p.message}|${p.expected}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        code: 'SEARCH',
        path: `/search/parameters/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: `trial ${trial.index} (${JSON.stringify(trial.values)}) would be invalid: ${p.path} ${p.message}`,
        expected: p.expected,
        found: p.found,
        hint: p.hint ?? 'change the values searched so every trial is a valid definition',
      });
    }
  }
  return out;
}

/** The machine's memory in bytes: Node's `os.totalmem()`, or in a page the browser's (rounded, at most 8 GiB) `navigator.deviceMemory`, else 4 GiB. */
function machineMemory(): number {
  const os = nodeModule('os');
  if (os) return os.totalmem();
  const hint = (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
  return (typeof hint === 'number' && hint > 0 ? hint : 4) * 1024 ** 3;
}
