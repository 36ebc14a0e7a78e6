import * as fs from 'fs';
import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { runSearch, SearchEvent } from './run-search';
import { cleanup, namesDefinition, tempDir, writeNames } from '../testing/fixtures';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
});
afterAll(() => cleanup(dir));

describe('runSearch', () => {
  it('runs 2 trials on worker threads; one fails, the other is still reported and ranked; the best definition is written', async () => {
    const definition = namesDefinition({ search: { parameters: { 'lines.path': { values: ['names.txt', 'missing.txt'] } }, parallel: 2 } });
    definition.stages[7] = { stage: 'train', epochs: 2, optimizer: { kind: 'adam', lr: 0.02 } };
    const events: SearchEvent[] = await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'runs') }).pipe(toArray()));
    expect(events[0]).toMatchObject({ type: 'search-start', trials: 2, parallel: 2, metric: 'validation.loss', mode: 'min' });
    const done = events[events.length - 1] as Extract<SearchEvent, { type: 'search-done' }>;
    const [ok, failed] = done.result.results;
    expect(ok).toMatchObject({ index: 0, status: 'completed' });
    expect(ok.metric).toBeCloseTo(ok.metrics?.validation?.loss as number, 12);
    expect(failed).toMatchObject({ index: 1, status: 'failed', error: expect.stringContaining("has no 'missing.txt'") });
    expect(ok.seed).not.toBe(failed.seed);
    expect(events.filter((e) => e.type === 'trial-progress' && e.index === 0)).toHaveLength(2); // progress crosses from the worker
    // each trial has its own run folder; the best trial's definition is written without the search block
    expect(fs.existsSync(path.join(ok.runDir, 'summary.json'))).toBe(true);
    expect(path.dirname(ok.runDir)).toBe(done.result.searchDir);
    const best = JSON.parse(fs.readFileSync(done.result.bestDefinitionFile as string, 'utf8'));
    expect(best.search).toBeUndefined();
    expect(best.seed).toBe(ok.seed);
    // the data path re-written relative to the search folder (two folders below dir), so best.json runs from there
    expect(best.stages[0]).toEqual({ stage: 'lines', path: '../../names.txt' });
    const lines = fs.readFileSync(path.join(done.result.searchDir, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).index)).toEqual([0, 1]);
  }, 60000);

  it('inline mode gives the same ranking without threads', async () => {
    const definition = namesDefinition({ search: { parameters: { 'recurrent.hiddenSize': { values: [4, 8] } }, metric: 'validation.perplexity' } });
    definition.stages[7] = { stage: 'train', epochs: 1 };
    const events = await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'inline'), mode: 'inline' }).pipe(toArray()));
    const done = events[events.length - 1] as Extract<SearchEvent, { type: 'search-done' }>;
    expect(done.result.results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(done.result.results[0].metric as number).toBeLessThanOrEqual(done.result.results[1].metric as number);
    // each trial its own seed, one split: both are measured on the same validation names
    const [first, second] = done.result.results;
    expect(first.seed).not.toBe(second.seed);
    expect(first.metrics?.validation?.tokens).toBe(second.metrics?.validation?.tokens);
  });

  it('refuses a definition without a search block', async () => {
    await expect(lastValueFrom(runSearch(namesDefinition(), { baseDir: dir }))).rejects.toMatchObject({ code: 'NO_SEARCH' });
  });
});
