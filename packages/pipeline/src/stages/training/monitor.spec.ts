import * as path from 'path';
import { lastValueFrom, toArray } from 'rxjs';
import { validateDefinition } from '../../definition/validate';
import { runPipeline, RunEvent } from '../../run/run-pipeline';
import { makeScheduler } from './optimizer-options';
import { cleanup, namesDefinition, reviewsDefinition, seriesDefinition, tempDir, writeNames, writeReviews, writeSeries } from '../../testing/fixtures';
import type { PipelineDefinition } from '../../definition/types';
import type { Optimizer } from '@loopflow/optimizers';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeSeries(dir);
  writeReviews(dir);
  writeNames(dir);
});
afterAll(() => cleanup(dir));

const withTrain = (definition: PipelineDefinition, at: number, train: Record<string, unknown>): PipelineDefinition => {
  definition.stages[at] = { stage: 'train', ...train };
  return definition;
};
const problemsOf = (definition: PipelineDefinition) => validateDefinition(definition, { baseDir: dir }).map((p) => [p.path, p.message, p.expected]);

async function summaryOf(definition: PipelineDefinition) {
  const events = await lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs') }).pipe(toArray()));
  return (events[events.length - 1] as Extract<RunEvent, { type: 'run-done' }>).summary;
}

describe("early stopping's monitor: any metric the evaluation reports for the task", () => {
  it('accepts each task\'s metrics and refuses another task\'s, naming the ones there are', () => {
    expect(problemsOf(withTrain(seriesDefinition(), 7, { epochs: 1, earlyStopping: { patience: 1, monitor: 'rmse' } }))).toEqual([]);
    expect(problemsOf(withTrain(reviewsDefinition(), 8, { epochs: 1, earlyStopping: { patience: 1, monitor: 'f1' } }))).toEqual([]);
    expect(problemsOf(withTrain(namesDefinition(), 7, { epochs: 1, earlyStopping: { patience: 1, monitor: 'perplexity' } }))).toEqual([]);
    expect(problemsOf(withTrain(seriesDefinition(), 7, { epochs: 1, earlyStopping: { patience: 1, monitor: 'accuracy' } }))).toEqual([
      ['/stages/7/earlyStopping/monitor', "train: 'accuracy' is not measured for a forecast model", "a metric the evaluation reports for it: 'loss', 'rmse', 'mae'"],
    ]);
    expect(problemsOf(withTrain(reviewsDefinition(), 8, { epochs: 1, schedule: { kind: 'plateau', monitor: 'mae' } }))).toEqual([
      ['/stages/8/schedule/monitor', "train: 'mae' is not measured for a classification model", "a metric the evaluation reports for it: 'loss', 'accuracy', 'precision', 'recall', 'f1'"],
    ]);
    expect(problemsOf(withTrain(seriesDefinition(), 7, { epochs: 1, earlyStopping: { patience: 1, monitor: 'RMSE' } })).map((p) => p[0])).toEqual(['/stages/7/earlyStopping/monitor']);
  });

  it('monitors RMSE in the original units (lower is better): the best epoch is the lowest, and restoring it gives the evaluation that RMSE', async () => {
    const summary = await summaryOf(withTrain(seriesDefinition(), 7, { epochs: 4, optimizer: { kind: 'adam', lr: 0.05 }, earlyStopping: { patience: 4, monitor: 'rmse', restoreBest: true } }));
    const rmse = (summary.history ?? []).map((h) => h.valid?.rmse as number);
    expect(rmse).toHaveLength(4);
    for (const value of rmse) expect(Number.isFinite(value)).toBe(true);
    expect(summary.best).toMatchObject({ monitor: 'rmse', value: Math.min(...rmse) });
    // the evaluate stage, after training restored the best weights, measures the same validation RMSE
    expect(summary.metrics?.validation?.rmse).toBeCloseTo(summary.best?.value as number, 10);
  }, 60000);

  it('monitors F1 (higher is better): the best epoch is the highest', async () => {
    const summary = await summaryOf(withTrain(reviewsDefinition(), 8, { epochs: 3, optimizer: { kind: 'adam', lr: 0.05 }, earlyStopping: { patience: 3, monitor: 'f1' } }));
    const f1 = (summary.history ?? []).map((h) => h.valid?.f1 as number);
    expect(f1).toHaveLength(3);
    expect(summary.best).toMatchObject({ monitor: 'f1', value: Math.max(...f1) });
    expect(summary.metrics?.validation?.f1).toBeCloseTo(summary.best?.value as number, 10);
  }, 60000);
});

describe("a plateau schedule's monitor", () => {
  it("watches accuracy as higher-is-better: a rising accuracy is no plateau (the learning rate stays), a rising loss is", () => {
    const optimizer = { lr: 0.1 } as unknown as Optimizer;
    const byAccuracy = makeScheduler({ kind: 'plateau', monitor: 'accuracy', patience: 0, factor: 0.5 }, optimizer, 10) as unknown as { step(v: number): void };
    for (const v of [0.5, 0.6, 0.7]) byAccuracy.step(v);
    expect(optimizer.lr).toBe(0.1);
    const byLoss = makeScheduler({ kind: 'plateau', monitor: 'loss', patience: 0, factor: 0.5 }, optimizer, 10) as unknown as { step(v: number): void };
    for (const v of [0.5, 0.6, 0.7]) byLoss.step(v);
    expect(optimizer.lr).toBe(0.025);
  });
});
