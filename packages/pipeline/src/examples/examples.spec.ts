/**
 * The example definitions in examples/ (at the repository root): every one is a valid
 * definition, and a shortened version of each (a few epochs, a subset of the data, through
 * runPipeline's `overrides`) runs end to end and leaves a complete run folder. The full
 * runs and their results are in examples/README.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { loadCo2Concentration } from '@loopflow/datasets';
import { loadDefinition } from '../definition/load';
import { validateDefinition } from '../definition/validate';
import { runPipeline, RunEvent } from '../run/run-pipeline';
import type { RunSummary } from '../run-folder/summary';
import { applyOverrides, DefinitionOverrides } from '../overrides/overrides';
import { runSearch, SearchEvent } from '../search/run-search';
import { cleanup, tempDir } from '../testing/fixtures';

const examples = path.resolve(__dirname, '..', '..', '..', '..', 'examples');

/** The definitions under examples/; an example's `results/` holds what its runs wrote (examples/README.md), not definitions. */
function definitionFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'results' ? [] : definitionFiles(path.join(dir, e.name))) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []));
}
const files = definitionFiles(examples).map((f) => path.relative(examples, f)).sort();

/** The shortened setting of each example: a few epochs on a subset of the data (seconds each). */
const FEEDBACK: DefinitionOverrides = { 'first-names.limit': 400, 'train.epochs': 1, 'samples.count': 10 };
const QUICK: Record<string, DefinitionOverrides> = {
  'names-lstm/pipeline.json': { 'first-names.limit': 800, 'train.epochs': 2, 'samples.count': 20 },
  'co2-forecast/pipeline.json': { 'train.epochs': 2 },
  'spam-gru/pipeline.json': { 'spam-assassin.limit': 300, 'train.epochs': 1, 'classify.maxLength': 60 },
  'feedback-kinds/direct.json': FEEDBACK,
  'feedback-kinds/indirect.json': FEEDBACK,
  'feedback-kinds/lateral.json': FEEDBACK,
  'feedback-kinds/complete.json': FEEDBACK,
  'search/names-search.json': { 'first-names.limit': 400, 'train.epochs': 1 },
};

let runs: string;
beforeAll(() => (runs = tempDir('loopflow-examples-')));
afterAll(() => cleanup(runs));

async function runShortened(file: string): Promise<{ summary: RunSummary; runDir: string; events: RunEvent[] }> {
  const { definition, baseDir } = loadDefinition(path.join(examples, file));
  const events = await lastValueFrom(runPipeline(definition, { baseDir, runsDir: runs, overrides: QUICK[file] }).pipe(toArray()));
  const done = events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
  expect(done.type).toBe('run-done');
  expect(done.summary.status).toBe('completed');
  const report = fs.readFileSync(path.join(done.runDir, 'report.html'), 'utf8');
  expect(report.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
  // the definition as run, its $schema named so that it resolves from the run folder (relative
  // or absolute, as relocateDefinition chooses for where the runs folder is: both resolve there)
  const asRun = applyOverrides(definition, QUICK[file]);
  const written = JSON.parse(fs.readFileSync(path.join(done.runDir, 'definition.json'), 'utf8')) as typeof asRun;
  if (asRun.$schema) {
    expect(typeof written.$schema).toBe('string');
    expect(path.resolve(done.runDir, written.$schema as string)).toBe(path.resolve(baseDir, asRun.$schema));
  }
  expect({ ...written, $schema: undefined }).toEqual({ ...asRun, $schema: undefined });
  return { summary: done.summary, runDir: done.runDir, events };
}

describe('examples/', () => {
  it('holds the examples, each with a shortened setting here', () => {
    expect(files).toEqual(Object.keys(QUICK).sort());
  });

  it.each(files)('%s is a valid definition whose $schema points at the schema', (file) => {
    const { definition, baseDir } = loadDefinition(path.join(examples, file));
    expect(validateDefinition(definition, { baseDir })).toEqual([]);
    expect(fs.existsSync(path.resolve(baseDir, definition.$schema as string))).toBe(true);
    expect(definition.description).toBeTruthy();
  });

  it('names-lstm (shortened): the LSTM beside the bigram baseline, samples and how many are new', async () => {
    const { summary } = await runShortened('names-lstm/pipeline.json');
    const bigram = summary.baselines?.find((b) => b.name === 'bigram');
    expect(bigram?.metrics.test?.tokens).toBe(summary.metrics?.test?.tokens); // the same tokens, the end of each name included
    expect(bigram?.metrics.test?.loss).toBeLessThan(Math.log(30)); // better than uniform over the characters
    expect(summary.generated).toMatchObject({ count: 20, file: 'samples.txt' });
    expect(summary.generated?.novel).toBeLessThanOrEqual(20);
  });

  it('co2-forecast (shortened): RMSE in ppm beside the seasonal-naive baselines, which match a hand computation', async () => {
    const { summary, runDir } = await runShortened('co2-forecast/pipeline.json');
    const y = loadCo2Concentration().months.map((m) => m.co2); // 746 months: train 596, validation 75, test 75
    const test = y.length - 75;
    const rms = (errors: number[]): number => Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    const naive = rms(y.slice(test).map((v, i) => v - y[test + i - 12]));
    const trainEnd = y.length - 150;
    const yearly = y.slice(12, trainEnd).map((v, i) => v - y[i]);
    const drift = yearly.reduce((a, b) => a + b, 0) / yearly.length;
    const withDrift = rms(y.slice(test).map((v, i) => v - (y[test + i - 12] + drift)));
    const byName = Object.fromEntries((summary.baselines ?? []).map((b) => [b.name, b.metrics.test]));
    expect(byName['seasonal-naive']).toMatchObject({ count: 75 });
    expect(byName['seasonal-naive']?.rmse).toBeCloseTo(naive, 6);
    expect(byName['seasonal-naive-drift']?.rmse).toBeCloseTo(withDrift, 6);
    expect(summary.metrics?.test?.count).toBe(75); // the model is measured on the same 75 months
    expect(Number.isFinite(summary.metrics?.test?.rmse)).toBe(true);
    const forecast = fs.readFileSync(path.join(runDir, 'forecast.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(forecast).toHaveLength(1);
    expect(forecast[0].step).toBe(12); // twelve months after the last month, in ppm
    expect(forecast[0].values[0]).toBeGreaterThan(405);
    expect(forecast[0].values[0]).toBeLessThan(430);
  });

  it('spam-gru (shortened): accuracy and F1 beside the majority class', async () => {
    const { summary } = await runShortened('spam-gru/pipeline.json');
    const test = summary.metrics?.test as Record<string, number>;
    const majority = summary.baselines?.find((b) => b.name === 'majority')?.metrics.test as Record<string, number>;
    expect(majority.count).toBe(test.count);
    // the majority baseline's accuracy is one class's share of the test split
    const rows = (summary.confusion?.test as number[][]).map((row) => row.reduce((a, b) => a + b, 0) / test.count);
    expect(rows.some((share) => Math.abs(share - majority.accuracy) < 1e-12)).toBe(true);
  });

  it.each(['direct', 'indirect', 'lateral', 'complete'])('feedback-kinds/%s (shortened): trains and is measured beside the bigram', async (kind) => {
    const { summary } = await runShortened(`feedback-kinds/${kind}.json`);
    expect(summary.model).toBe('feedback');
    expect(summary.baselines?.map((b) => b.name)).toEqual(['bigram']);
    expect(Number.isFinite(summary.metrics?.test?.loss)).toBe(true);
  });

  it('search/names-search (shortened to two trials): ranks the trials and writes the best definition', async () => {
    const { definition, baseDir } = loadDefinition(path.join(examples, 'search/names-search.json'));
    const short = applyOverrides(definition, QUICK['search/names-search.json']);
    short.search = { ...(short.search as NonNullable<typeof short.search>), parameters: { 'train.optimizer.lr': { values: [0.003] }, 'recurrent.hiddenSize': { values: [16, 32] } } };
    const events: SearchEvent[] = await lastValueFrom(runSearch(short, { baseDir, runsDir: runs, mode: 'inline' }).pipe(toArray()));
    const done = events[events.length - 1] as Extract<SearchEvent, { type: 'search-done' }>;
    expect(done.result.results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(done.result.results[0].metric).toBeLessThanOrEqual(done.result.results[1].metric as number);
    expect(fs.existsSync(done.result.bestDefinitionFile as string)).toBe(true);
  });
});
