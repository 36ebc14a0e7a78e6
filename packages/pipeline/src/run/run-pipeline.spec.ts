import * as fs from 'fs';
import * as path from 'path';
import { lastValueFrom, Subject, takeUntil, tap, toArray } from 'rxjs';
import { runPipeline, RunEvent } from './run-pipeline';
import { readMetricsLog } from '../run-folder/run-folder';
import type { RunSummary } from '../run-folder/summary';
import { loadModel } from '../model/model-file';
import { generateText } from '../model/generate';
import type { Vocabulary } from '@loopflow/data';
import { inspectRun, formatInspection } from '../inspect/inspect';
import { cleanup, namesDefinition, reviewsDefinition, seriesDefinition, tempDir, writeNames, writeReviews, writeSeries } from '../testing/fixtures';
import type { PipelineDefinition } from '../definition/types';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeNames(dir);
  writeReviews(dir);
  writeSeries(dir);
});
afterAll(() => cleanup(dir));

async function run(definition: PipelineDefinition, options: { resumeFrom?: string } = {}): Promise<{ events: RunEvent[]; runDir: string; summary: RunSummary }> {
  const events = await lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs'), ...options }).pipe(toArray()));
  const done = events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
  expect(done.type).toBe('run-done');
  return { events, runDir: done.runDir, summary: done.summary };
}
const read = (runDir: string, file: string) => fs.readFileSync(path.join(runDir, file), 'utf8');

describe('runPipeline end to end (tiny generated datasets)', () => {
  it('a character language model: the run folder holds everything, and the saved model reproduces the samples', async () => {
    const definition = namesDefinition();
    const { events, runDir, summary } = await run(definition);
    expect(path.basename(runDir)).toMatch(/^names-\d{8}-\d{6}$/);
    expect(summary).toMatchObject({ status: 'completed', task: 'language-model', epochs: 3, model: 'recurrent', seed: 7 });
    expect(fs.readdirSync(runDir).sort()).toEqual(['checkpoints', 'definition.json', 'diagnostics.json', 'metrics.jsonl', 'model.json', 'model.safetensors', 'optimizer.json', 'report.html', 'samples.txt', 'summary.json']);
    // the definition as run, its data path re-written relative to the run folder (dir/runs/names-...): it runs from there
    expect(JSON.parse(read(runDir, 'definition.json'))).toEqual({ ...definition, stages: [{ stage: 'lines', path: '../../names.txt' }, ...definition.stages.slice(1)] });
    // metrics.jsonl: one line per training event, in order, then the evaluations
    const logged = readMetricsLog(path.join(runDir, 'metrics.jsonl'));
    const trainEvents = events.filter((e) => ['step', 'epoch', 'checkpoint', 'done', 'evaluation'].includes(e.type));
    expect(logged.map((l) => l.type)).toEqual(trainEvents.map((e) => e.type));
    expect(logged.filter((l) => l.type === 'epoch')).toHaveLength(3);
    const steps = logged.filter((l) => l.type === 'step');
    const start = events.find((e) => e.type === 'train-start') as Extract<RunEvent, { type: 'train-start' }>;
    expect(steps).toHaveLength(3 * start.batchesPerEpoch);
    expect(summary.history?.[2].trainLoss).toBeLessThan(summary.history?.[0].trainLoss as number);
    const validation = summary.metrics?.validation as Record<string, number>;
    expect(validation.perplexity).toBeCloseTo(Math.exp(validation.loss), 9);
    expect(validation.bitsPerCharacter).toBeCloseTo(validation.loss / Math.LN2, 9);
    // the saved model generates exactly the samples the trained one wrote (same seed)
    const { model, artifacts } = loadModel(runDir);
    expect(model.description).toEqual(JSON.parse(read(runDir, 'model.json')).architecture);
    const written = read(runDir, 'samples.txt').split('\n').slice(0, -1);
    expect(written).toHaveLength(3);
    expect(generateText(model, artifacts.vocabulary as Vocabulary, artifacts.tokenizer, { count: 3, maxLength: 12, temperature: 1, seed: '7/samples' })).toEqual(written);
    const report = read(runDir, 'report.html');
    expect(report.match(/<svg/g)).toHaveLength(3); // loss per epoch, loss per step, gradient flow
    expect(report).toContain('perplexity');
    expect(JSON.parse(read(runDir, 'optimizer.json'))).toMatchObject({ format: 'loopflow.optimizer/1', optimizer: 'adam' });
    expect(formatInspection(inspectRun(runDir))).toContain('status      completed');
  });

  it('classification with an attention encoder: metrics, predictions with class names, confusion matrix', async () => {
    const { runDir, summary } = await run(reviewsDefinition({ stage: 'attention', dModel: 8, heads: 2, layers: 1 }));
    expect(summary.task).toBe('classification');
    const test = summary.metrics?.test as Record<string, number>;
    for (const k of ['loss', 'accuracy', 'precision', 'recall', 'f1']) expect(Number.isFinite(test[k])).toBe(true);
    expect(test.count).toBe(12);
    const predictions = read(runDir, 'predictions.jsonl').trim().split('\n').map((l) => JSON.parse(l));
    expect(predictions).toHaveLength(12);
    expect(['good', 'bad']).toContain(predictions[0].label);
    expect(predictions[0].probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    expect(summary.confusion?.test?.flat().reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('forecasting: RMSE and MAE in the original units, and a forecast past the end of the series', async () => {
    const { runDir, summary } = await run(seriesDefinition());
    expect(summary.task).toBe('forecast');
    const test = summary.metrics?.test as Record<string, number>;
    expect(test.rmse).toBeGreaterThan(0);
    expect(test.rmse).toBeLessThan(15); // the series spans 90..110
    const forecast = read(runDir, 'forecast.jsonl').trim().split('\n').map((l) => JSON.parse(l));
    expect(forecast.map((r) => r.step)).toEqual([1, 2, 3, 4]);
    expect(forecast[0].values[0]).toBeGreaterThan(60);
    expect(forecast[0].values[0]).toBeLessThan(140);
  });

  it('truncated BPTT over windows, then resume from the checkpoint for more epochs', async () => {
    const definition = namesDefinition();
    definition.stages[4] = { stage: 'next-token', mode: 'windows', length: 12 };
    definition.stages[7] = { stage: 'train', epochs: 2, bptt: { stepsPerUpdate: 4 }, optimizer: { kind: 'sgd', lr: 0.5, momentum: 0.9 } };
    const first = await run(definition);
    const start = first.events.find((e) => e.type === 'train-start') as Extract<RunEvent, { type: 'train-start' }>;
    expect(start.updatesPerBatch).toBe(3);
    expect(first.summary.steps).toBe(2 * start.batchesPerEpoch * 3);
    definition.stages[7] = { ...definition.stages[7], epochs: 3 };
    const second = await run(definition, { resumeFrom: path.join(first.runDir, 'checkpoints') });
    expect(second.events.find((e) => e.type === 'resume')).toMatchObject({ epoch: 2 });
    expect(second.summary.epochs).toBe(3);
    // the resumed run continues the history of the run it resumes: epochs 1..3 in one summary and one metrics.jsonl
    expect(second.summary.history?.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(second.summary.history?.slice(0, 2)).toEqual(first.summary.history);
    expect(second.summary.resumedFrom).toMatchObject({ runDir: first.runDir, epoch: 2 });
    const logged = readMetricsLog(path.join(second.runDir, 'metrics.jsonl'));
    expect(logged.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(logged.filter((r) => r.type === 'step').map((r) => r.step)).toEqual(Array.from({ length: second.summary.steps as number }, (_, i) => i + 1));
  });

  it('a failed run rejects with the error and leaves a summary saying why', async () => {
    fs.writeFileSync(path.join(dir, 'bad.csv'), 't,value\n0,1\n1,oops\n');
    const definition = seriesDefinition();
    definition.stages[0] = { stage: 'csv', path: 'bad.csv' };
    const events: RunEvent[] = [];
    await expect(lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'failed') }).pipe(tap((e) => events.push(e))))).rejects.toMatchObject({ code: 'DATA_BAD_VALUE' });
    const runDir = (events[0] as Extract<RunEvent, { type: 'run-start' }>).runDir;
    const summary = JSON.parse(read(runDir, 'summary.json')) as RunSummary;
    expect(summary).toMatchObject({ status: 'failed', error: { code: 'DATA_BAD_VALUE', message: expect.stringContaining("record 1 column 'value' is the string \"oops\"") } });
    expect(read(runDir, 'report.html')).toContain('oops');
  });

  it('unsubscribing stops training between steps; the summary says interrupted', async () => {
    const stop = new Subject<void>();
    const events: RunEvent[] = [];
    const definition = namesDefinition();
    definition.stages[7] = { stage: 'train', epochs: 50 };
    await lastValueFrom(
      runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'stopped') }).pipe(
        tap((e) => {
          events.push(e);
          if (e.type === 'epoch' && e.epoch === 1) stop.next();
        }),
        takeUntil(stop),
      ),
      { defaultValue: undefined },
    );
    const runDir = (events[0] as Extract<RunEvent, { type: 'run-start' }>).runDir;
    expect(JSON.parse(read(runDir, 'summary.json')).status).toBe('interrupted');
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(1);
  });
});
