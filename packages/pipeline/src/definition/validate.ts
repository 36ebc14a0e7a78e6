import * as path from 'path';
import { LoopflowError } from '@loopflow/tensor';
import type { StageRegistry } from '../registry/registry';
import { StageContext, StageOptionsError } from '../registry/stage';
import { defaultRegistry } from '../registry/default-registry';
import type { ValueLocation } from './json-positions';
import type { DefinitionProblem } from './problems';
import type { PipelineDefinition } from './types';
import { problemsFromAjv } from './ajv-problems';
import { compiledSchema } from './compile';
import { checkStages } from './check-stages';
import { isWithin, pointerSegments, toPointer } from './pointer';
import { planTrials, resolveField } from '../search/search-space';

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
  /** Also validate every trial of the search block (default true). */
  checkSearch?: boolean;
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
export function dryContext(definition: PipelineDefinition, baseDir: string, index: number, task: StageContext['task']): StageContext {
  return { baseDir, runDir: null, seed: definition.seed ?? 0, name: definition.name, path: `/stages/${index}`, task, artifacts: {}, emit: () => undefined };
}

/**
 * Every problem of a definition, all at once: the composed schema (unknown keys, wrong types,
 * unknown stages, values out of range), the order of stages (input and output kinds), the
 * options each stage's factory refuses, missing data files, and the search block (fields that
 * do not resolve, values the definition refuses). Nothing is run and nothing is loaded: stage
 * names resolve only through the registry. An empty array means the definition is valid.
 *
 * @example
 * const problems = validateDefinition(JSON.parse(text), { baseDir: path.dirname(file) });
 * if (problems.length) console.error(formatProblems(problems, file));
 */
export function validateDefinition(value: unknown, options: ValidateOptions = {}): DefinitionProblem[] {
  const registry = options.registry ?? defaultRegistry();
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const { schema, validate } = compiledSchema(registry);
  const problems: DefinitionProblem[] = [];
  if (!validate(value)) problems.push(...problemsFromAjv(validate.errors ?? [], value, schema));
  const definition = value as PipelineDefinition;
  const stages = value !== null && typeof value === 'object' && Array.isArray(definition.stages) ? definition.stages : [];
  const structure = checkStages(stages, registry);
  problems.push(...structure.problems);

  for (const plan of structure.plans) {
    const at = `/stages/${plan.index}`;
    if (problems.some((p) => isWithin(p.path, at) && p.code !== 'KIND_MISMATCH' && p.code !== 'PIPELINE_SHAPE')) continue; // the schema already refused its options
    const { stage: _name, ...stageOptions } = stages[plan.index];
    const ctx = dryContext(definition, baseDir, plan.index, plan.task);
    try {
      if (options.checkFiles !== false && plan.stage.check) {
        for (const issue of plan.stage.check(stageOptions, ctx)) {
          problems.push({ code: issue.code ?? 'STAGE_OPTIONS', path: `${at}${issue.path}`, message: issue.message, expected: issue.expected, found: issue.found, hint: issue.hint });
        }
      }
      plan.stage.create(stageOptions, ctx);
    } catch (e) {
      if (e instanceof StageOptionsError) {
        problems.push({ code: 'STAGE_OPTIONS', path: `${at}${e.detail.path ?? ''}`, message: `${plan.stage.name}: ${e.message}`, expected: e.detail.expected, found: e.detail.found, hint: e.detail.hint });
      } else {
        problems.push({ code: 'STAGE_OPTIONS', path: at, message: `${plan.stage.name}: ${e instanceof LoopflowError || e instanceof Error ? e.message : String(e)}` });
      }
    }
  }

  if (problems.length === 0 && definition.search && options.checkSearch !== false) problems.push(...checkSearch(definition, { ...options, registry, baseDir }));
  return order(problems.map((p) => locate(p, options.locations)));
}

/** Validates each planned trial; a problem a trial has (and the base has not) is reported at the search field that caused it. */
function checkSearch(definition: PipelineDefinition, options: ValidateOptions): DefinitionProblem[] {
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
