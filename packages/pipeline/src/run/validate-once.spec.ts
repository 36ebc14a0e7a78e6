import * as path from 'path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { createDefaultRegistry } from '../stages/default-registry';
import { defineStage, StageOptionsError } from '../vocabulary/stage';
import type { Item } from '../vocabulary/items';
import { parseDefinition } from '../definition/load';
import { DefinitionError, DefinitionProblem } from '../definition/problems';
import type { PipelineDefinition } from '../definition/types';
import { runPipeline, RunEvent } from './run-pipeline';
import { cleanup, definitionText, namesDefinition, tempDir, writeNames } from '../testing/fixtures';

/** How often the validation and the run called the watched stage's `check` and `create`. */
const calls = { check: 0, create: 0 };

/** Passes texts through; counts its checks and builds; refuses `refuseWhenRunning` only when given a run folder (a problem the validation cannot see). */
const watched = defineStage<{ refuseWhenRunning?: boolean }>({
  name: 'watched',
  plugin: 'test',
  category: 'preprocess',
  summary: 'Counts how often it is checked and built.',
  input: ['texts'],
  output: 'texts',
  schema: { type: 'object', properties: { refuseWhenRunning: { type: 'boolean' } } },
  check: () => {
    calls.check++;
    return [];
  },
  create: (o, ctx) => {
    calls.create++;
    if (o.refuseWhenRunning && ctx.runDir !== null) throw new StageOptionsError('refused when the run builds it', { path: '/refuseWhenRunning', hint: 'remove refuseWhenRunning' });
    return map((item: Item<string>) => item);
  },
});

const registry = createDefaultRegistry().register(watched);
let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
});
afterAll(() => cleanup(dir));
beforeEach(() => {
  calls.check = 0;
  calls.create = 0;
});

/** The names language model (1 epoch) with the watched stage after the source. */
function watchedDefinition(options: Record<string, unknown> = {}, extra: Partial<PipelineDefinition> = {}): PipelineDefinition {
  const d = namesDefinition(extra);
  d.stages.splice(1, 0, { stage: 'watched', ...options });
  d.stages[8] = { stage: 'train', epochs: 1, optimizer: { kind: 'adam', lr: 0.02 } };
  d.stages.pop(); // no samples output
  return d;
}

const runOf = (definition: Parameters<typeof runPipeline>[0], options: Parameters<typeof runPipeline>[1] = {}): Promise<RunEvent[]> =>
  lastValueFrom(runPipeline(definition, { runsDir: path.join(dir, 'runs'), ...options }).pipe(toArray()));

async function rejection(promise: Promise<unknown>): Promise<DefinitionError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected a DefinitionError');
}

describe('a run validates its definition once', () => {
  it('runPipeline takes a loaded definition as it is: no second validation, one build per stage', async () => {
    const loaded = parseDefinition(definitionText(watchedDefinition()), { baseDir: dir, registry, checkSearch: false });
    expect(calls).toEqual({ check: 1, create: 1 }); // the validation: the static check and the factory with a context that runs nothing
    const events = await runOf(loaded);
    expect(events[events.length - 1].type).toBe('run-done');
    expect(calls).toEqual({ check: 1, create: 2 }); // the run built the stage, and checked nothing again
  });

  it('a plain definition is validated once, by runPipeline', async () => {
    const events = await runOf(watchedDefinition(), { baseDir: dir, registry });
    expect(events[events.length - 1].type).toBe('run-done');
    expect(calls).toEqual({ check: 1, create: 2 });
  });

  it('a run does not expand the search trials; validating the search does', async () => {
    const searched = watchedDefinition({}, { search: { parameters: { 'train.epochs': { values: [1, 2, 3] } } } });
    parseDefinition(definitionText(searched), { baseDir: dir, registry });
    expect(calls).toEqual({ check: 1, create: 4 }); // the definition, then each of the 3 trials (files are checked once)
    calls.create = 0;
    calls.check = 0;
    const loaded = parseDefinition(definitionText(searched), { baseDir: dir, registry, checkSearch: false });
    expect(calls).toEqual({ check: 1, create: 1 });
    await runOf(loaded);
    expect(calls).toEqual({ check: 1, create: 2 });
  });

  it('a problem found when the run builds a stage points at its line:column in the file', async () => {
    const text = definitionText(watchedDefinition({ refuseWhenRunning: true }));
    const loaded = parseDefinition(text, { baseDir: dir, registry, file: 'p.json', checkSearch: false }); // valid: the validation runs nothing
    const error = await rejection(runOf(loaded));
    const problem = error.problems[0] as DefinitionProblem;
    expect(error.problems).toHaveLength(1);
    expect(problem).toMatchObject({ code: 'STAGE_OPTIONS', path: '/stages/1/refuseWhenRunning', message: 'watched: refused when the run builds it', hint: 'remove refuseWhenRunning' });
    const line = text.split('\n')[(problem.position?.line ?? 0) - 1];
    expect(line.slice((problem.position?.column ?? 1) - 1)).toMatch(/^true/);
    expect(error.message).toContain(`p.json:${problem.position?.line}:${problem.position?.column} /stages/1/refuseWhenRunning`);
  });

  it('a loaded definition changed afterwards, or changed by overrides, is validated (once) again, with the positions of the file', async () => {
    const text = definitionText(watchedDefinition());
    const loaded = parseDefinition(text, { baseDir: dir, registry, file: 'p.json', checkSearch: false });
    (loaded.definition.stages[6] as Record<string, unknown>).batchSize = '8';
    const changed = await rejection(runOf(loaded));
    expect(calls.check).toBe(2);
    expect(changed.problems).toEqual([expect.objectContaining({ code: 'WRONG_TYPE', path: '/stages/6/batchSize', position: expect.objectContaining({ line: expect.any(Number) }) })]);
    const again = parseDefinition(text, { baseDir: dir, registry, file: 'p.json', checkSearch: false });
    const overridden = await rejection(runOf(again, { overrides: { 'batch.batchSize': 0 } }));
    expect(overridden.problems).toEqual([expect.objectContaining({ code: 'INVALID_VALUE', path: '/stages/6/batchSize', position: changed.problems[0].position })]);
  });

  it('refuses a baseDir or registry other than the ones the definition was validated with', async () => {
    const loaded = parseDefinition(definitionText(watchedDefinition()), { baseDir: dir, registry, checkSearch: false });
    await expect(runOf(loaded, { baseDir: path.join(dir, 'elsewhere') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(runOf(loaded, { registry: createDefaultRegistry() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
