import * as fs from 'fs';
import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { runSearch, SearchEvent } from './run-search';
import { runPipeline, RunEvent } from '../run/run-pipeline';
import { loadDefinition } from '../definition/load';
import { relocateDefinition } from '../definition/relocate';
import { defaultRegistry } from '../stages/default-registry';
import { cleanup, definitionText, seriesDefinition, tempDir, writeSeries } from '../testing/fixtures';
import type { PipelineDefinition } from '../definition/types';

let project: string;
let elsewhere: string;
beforeAll(() => {
  project = tempDir();
  elsewhere = tempDir(); // the runs folder, outside the definition's folder
  fs.mkdirSync(path.join(project, 'data'));
  writeSeries(path.join(project, 'data'), 'sine.csv');
});
afterAll(() => {
  cleanup(project);
  cleanup(elsewhere);
});

/** The sine-gru search: a GRU forecaster of the sine CSV the definition reads from its own data/ folder, tiny. */
function sineGruSearch(): PipelineDefinition {
  const definition = seriesDefinition({ stage: 'recurrent', cell: 'gru', hiddenSize: 4 });
  definition.name = 'sine-gru';
  definition.stages[0] = { stage: 'csv', path: 'data/sine.csv', columns: [{ name: 'value', type: 'number' }] };
  definition.stages[7] = { stage: 'train', epochs: 1, optimizer: { kind: 'adam', lr: 0.02 }, checkpoint: false };
  definition.search = { parameters: { 'recurrent.hiddenSize': { values: [3, 4] } } };
  return definition;
}

describe("a search's best.json and its trials' definition.json", () => {
  it('run with loopflow run from where they are written: relative data paths re-written relative to their folder', async () => {
    const file = path.join(project, 'sine-gru-search.json');
    fs.writeFileSync(file, definitionText(sineGruSearch()));
    const events: SearchEvent[] = await lastValueFrom(runSearch(loadDefinition(file), { runsDir: elsewhere, mode: 'inline' }).pipe(toArray()));
    const done = events[events.length - 1] as Extract<SearchEvent, { type: 'search-done' }>;
    const bestFile = done.result.bestDefinitionFile as string;
    const best = JSON.parse(fs.readFileSync(bestFile, 'utf8')) as PipelineDefinition;
    const csv = path.join(project, 'data', 'sine.csv');
    expect(best.stages[0].path).toBe(path.relative(path.dirname(bestFile), csv)); // both under the temporary folder: relative
    expect(path.resolve(path.dirname(bestFile), best.stages[0].path as string)).toBe(csv);

    const run = await lastValueFrom(runPipeline(loadDefinition(bestFile), { runsDir: path.join(elsewhere, 'again') }).pipe(toArray()));
    const end = run[run.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
    expect(end).toMatchObject({ type: 'run-done', summary: { status: 'completed', sources: [{ rows: 120 }] } });
    expect(path.resolve(path.dirname(bestFile), end.summary.sources?.[0].file as string)).toBe(csv); // read the project's CSV

    // each trial's definition.json too: it loads (the file check passes) and names the same CSV
    for (const trial of done.result.results) {
      const trialFile = path.join(trial.runDir, 'definition.json');
      const loaded = loadDefinition(trialFile);
      expect(path.resolve(loaded.baseDir, loaded.definition.stages[0].path as string)).toBe(csv);
    }
  }, 60000);

  it('keeps absolute paths and URLs, re-writes a relative $schema, and leaves the given definition unchanged', () => {
    const definition: PipelineDefinition = {
      $schema: '../schema/pipeline.schema.json',
      name: 'x',
      stages: [
        { stage: 'csv', path: '/data/abs.csv' },
        { stage: 'lines', path: 'here.txt' },
        { stage: 'tokenize' },
      ],
    };
    const moved = relocateDefinition(definition, '/a/b', '/a/c/d', defaultRegistry());
    expect(moved).toEqual({
      $schema: '../../schema/pipeline.schema.json',
      name: 'x',
      stages: [
        { stage: 'csv', path: '/data/abs.csv' },
        { stage: 'lines', path: '../../b/here.txt' },
        { stage: 'tokenize' },
      ],
    });
    expect(definition.stages[1].path).toBe('here.txt');
    expect(relocateDefinition({ ...definition, $schema: 'https://example.org/s.json' }, '/a/b', '/c', defaultRegistry()).$schema).toBe('https://example.org/s.json');
    // under another top folder: absolute (no ../../.. climbing to the root)
    expect(relocateDefinition(definition, '/a/b', '/tmp/runs/x', defaultRegistry()).stages[1].path).toBe('/a/b/here.txt');
  });
});
