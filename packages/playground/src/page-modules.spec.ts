/**
 * The page's modules that do not need a browser, checked in Node against the code they stand
 * in for: the dataset stages reading the page's files give the items @loopflow/datasets'
 * stages give; validation as you type finds what `parseDefinition` (loopflow validate) finds,
 * at the same lines; the race's sizes fit the budget; weights go out and back in.
 */
import { EMPTY, lastValueFrom, Observable, toArray } from 'rxjs';
import { Random } from '@loopflow/tensor';
import { stateDict } from '@loopflow/layers';
import { loadCo2Concentration, loadFirstNames } from '@loopflow/datasets';
import { buildModel, checkDefinition, createDefaultRegistry, DefinitionError, parseDefinition } from '@loopflow/pipeline';
import type { Artifacts, PreparedData, StageContext, StageRegistry } from '@loopflow/pipeline';
import { mergeFirstNames, pageRegistry, PageData } from '../page/datasets';
import { validateText } from '../page/validate-text';
import { raceDataStages, raceEntrants, widthForBudget } from '../page/race';
import { loadWeights, modelWeights } from '../page/weights';
import { playgroundExamples } from '../scripts/build';

/** What scripts/build.ts writes into data/. */
function pageData(): PageData {
  const { female, male } = loadFirstNames();
  return { firstNames: { female: female.slice(), male: male.slice() }, co2: loadCo2Concentration().months.map((m) => ({ date: m.date, co2: m.co2, adjustedCo2: m.adjustedCo2 })) };
}

function context(artifacts: Artifacts): StageContext {
  return { baseDir: '/', runDir: null, seed: 3, name: 't', path: '/stages/0', task: undefined, artifacts, emit: () => undefined };
}

async function sourceItems(registry: StageRegistry, name: string, options: Record<string, unknown>): Promise<{ items: unknown[]; artifacts: Artifacts }> {
  const artifacts: Artifacts = {};
  const items = await lastValueFrom(registry.get(name)!.create(options, context(artifacts))(EMPTY).pipe(toArray()));
  return { items, artifacts };
}

async function prepared(registry: StageRegistry, stages: Record<string, unknown>[]): Promise<PreparedData> {
  const artifacts: Artifacts = {};
  let stream: Observable<unknown> = EMPTY;
  for (const { stage, ...options } of stages) stream = registry.get(String(stage))!.create(options, context(artifacts))(stream);
  return (await lastValueFrom(stream)) as PreparedData;
}

describe("the page's dataset stages", () => {
  const data = pageData();
  const page = pageRegistry(data);
  const node = createDefaultRegistry();

  it('merge the name lists as loadFirstNames does', () => {
    for (const lowerCase of [true, false]) expect(mergeFirstNames(data.firstNames!, lowerCase)).toEqual(loadFirstNames({ lowerCase }).names);
  });

  it.each([
    ['first-names', {}],
    ['first-names', { lowerCase: false, limit: 57 }],
    ['co2', {}],
    ['co2', { columns: ['adjustedCo2', 'co2'] }],
  ])('%s %j gives the items and artifacts of the Node stage', async (name, options) => {
    const fromPage = await sourceItems(page, name, options);
    const fromNode = await sourceItems(node, name, options);
    expect(fromPage.items.length).toBeGreaterThan(50);
    expect(fromPage).toEqual(fromNode);
  });

  it('keep the registry: the same stage names and schemas', () => {
    expect(page.names()).toEqual(node.names());
    for (const name of node.names()) expect(page.get(name)!.schema).toBe(node.get(name)!.schema);
  });

  it('say what is missing when the page has not loaded the data', async () => {
    await expect(sourceItems(pageRegistry({}), 'co2', {})).rejects.toMatchObject({ code: 'PLAYGROUND_DATA_MISSING' });
  });
});

describe('validation as you type', () => {
  const registry = pageRegistry({});

  it("finds every example valid, and what loopflow validate's parseDefinition finds in a broken one, at the same lines", () => {
    for (const example of playgroundExamples()) expect([example.id, validateText(example.text, registry)]).toEqual([example.id, []]);
    const quick = playgroundExamples().find((e) => e.id === 'names-quick')!.text;
    const broken = quick.replace('"hiddenSize": 64', '"hiddenSize": -1').replace('"batchSize": 64', '"batchSize": 64, "colour": "red"');
    let expected: unknown[] = [];
    try {
      parseDefinition(broken, { checkFiles: false });
    } catch (e) {
      expected = (e as DefinitionError).problems;
    }
    expect(expected.length).toBe(2);
    expect(validateText(broken, registry)).toEqual(expected);
  });

  it('reports a syntax error at its line', () => {
    const [problem] = validateText('{\n  "name": "x",\n  "stages": [\n}', registry);
    expect(problem.code).toBe('JSON_SYNTAX');
    expect(problem.position?.line).toBe(4);
  });
});

describe('the race', () => {
  it('picks the width whose count is closest to the budget', () => {
    expect(widthForBudget((w) => w * w, 50, 1)).toEqual({ width: 7, parameters: 49 });
    expect(widthForBudget((w) => 10 * w, 1000, 2)).toEqual({ width: 100, parameters: 1000 });
    expect(widthForBudget((w) => 100 + w, 1, 1)).toEqual({ width: 1, parameters: 101 });
  });

  it('sizes RNN, LSTM, GRU and a transformer within 5% of the budget, counted on the built models', async () => {
    const registry = pageRegistry(pageData());
    const data = await prepared(registry, raceDataStages(500));
    const entrants = raceEntrants(data, 20000);
    expect(entrants.map((e) => e.name)).toEqual(['RNN', 'LSTM', 'GRU', 'Transformer']);
    for (const e of entrants) expect(Math.abs(e.parameters - 20000) / 20000).toBeLessThan(0.05);
    // Each entrant's stage is a valid model stage of a definition on the race's data.
    for (const e of entrants) {
      expect(checkDefinition({ name: 'race', stages: [...raceDataStages(500), e.stage, { stage: 'train', epochs: 1 }] }, { registry, checkFiles: false }).problems).toEqual([]);
    }
  });
});

describe('weights', () => {
  it('go out as model.safetensors + model.json and come back in with the same architecture and values', () => {
    const description = { kind: 'recurrent', task: 'forecast' as const, options: { cell: 'gru', hiddenSize: 5 }, input: { kind: 'features' as const, size: 2 }, outputSize: 3, horizon: 3, targetFeatures: 1 };
    const model = buildModel(description, new Random(1));
    const { bytes, modelJson } = modelWeights('m', model, { columns: ['a', 'b'] });
    const loaded = loadWeights(bytes, 'model.safetensors', modelJson, null);
    expect(loaded.artifacts.columns).toEqual(['a', 'b']);
    expect(loaded.model.description).toEqual(model.description);
    const before = stateDict(model.modules);
    const after = stateDict(loaded.model.modules);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const key of Object.keys(before)) expect([key, Array.from(after[key].data)]).toEqual([key, Array.from(before[key].data)]);
    expect(() => loadWeights(bytes, 'model.safetensors', undefined, null)).toThrow(expect.objectContaining({ code: 'PLAYGROUND_NO_ARCHITECTURE' }));
    const other = buildModel({ ...description, options: { cell: 'gru', hiddenSize: 6 } }, new Random(1));
    expect(() => loadWeights(bytes, 'model.safetensors', undefined, { model: other, artifacts: {}, name: 'x' })).toThrow(expect.objectContaining({ code: 'PLAYGROUND_WEIGHTS_MISMATCH' }));
  });

  it('refuses weights holding NaN as loadModel does (the training diverged), naming the tensor', () => {
    const description = { kind: 'recurrent', task: 'forecast' as const, options: { cell: 'gru', hiddenSize: 5 }, input: { kind: 'features' as const, size: 2 }, outputSize: 3, horizon: 3, targetFeatures: 1 };
    const model = buildModel(description, new Random(1));
    const first = Object.keys(stateDict(model.modules))[0];
    stateDict(model.modules)[first].data[3] = NaN;
    const { bytes, modelJson } = modelWeights('m', model, {});
    expect(() => loadWeights(bytes, 'model.safetensors', modelJson, null)).toThrow(expect.objectContaining({ code: 'MODEL_NOT_FINITE', message: expect.stringContaining(`tensor '${first}' holds 1 non-finite value`) }));
  });
});
