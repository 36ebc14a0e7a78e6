import { planTrials, resolveField, trialSeed } from './search-space';
import { namesDefinition } from '../testing/fixtures';
import { rankTrials } from '../search/run-search';
import { metricValue, TrialResult } from '../search/trial';
import type { RunSummary } from '../run-folder/summary';

describe('resolveField', () => {
  const d = namesDefinition();
  it('reads JSON pointers, dotted paths from the top, and paths that start with a stage name', () => {
    expect(resolveField(d, '/stages/6/hiddenSize')).toEqual({ pointer: '/stages/6/hiddenSize' });
    expect(resolveField(d, 'stages.6.hiddenSize')).toEqual({ pointer: '/stages/6/hiddenSize' });
    expect(resolveField(d, 'recurrent.hiddenSize')).toEqual({ pointer: '/stages/6/hiddenSize' });
    expect(resolveField(d, 'train.optimizer.lr')).toEqual({ pointer: '/stages/7/optimizer/lr' });
    expect(resolveField(d, 'seed')).toEqual({ pointer: '/seed' });
    expect(resolveField(d, 'recurrent.numLayers')).toEqual({ pointer: '/stages/6/numLayers' }); // absent key: allowed
  });
  it('explains paths that do not resolve', () => {
    expect(resolveField(d, 'lstm.hiddenSize')).toMatchObject({ error: expect.stringContaining("neither a top-level key nor a stage") });
    expect(resolveField(d, 'train.schedule.gamma')).toMatchObject({ error: expect.stringContaining('/stages/7/schedule is not an object') });
    const twice = namesDefinition();
    twice.stages.push({ stage: 'samples' });
    expect(resolveField(twice, 'samples.count')).toMatchObject({ error: "stage 'samples' appears 2 times (stages 9, 10)", hint: 'address one by index: stages.9.count' });
  });
});

describe('planTrials', () => {
  it('grid: every combination, each with its own seed and no search block', () => {
    const d = namesDefinition({ search: { parameters: { 'recurrent.cell': { values: ['lstm', 'gru'] }, 'batch.batchSize': { int: [4, 6] } } } });
    const { trials, problems } = planTrials(d);
    expect(problems).toEqual([]);
    expect(trials.map((t) => t.values)).toEqual([
      { 'recurrent.cell': 'lstm', 'batch.batchSize': 4 },
      { 'recurrent.cell': 'lstm', 'batch.batchSize': 5 },
      { 'recurrent.cell': 'lstm', 'batch.batchSize': 6 },
      { 'recurrent.cell': 'gru', 'batch.batchSize': 4 },
      { 'recurrent.cell': 'gru', 'batch.batchSize': 5 },
      { 'recurrent.cell': 'gru', 'batch.batchSize': 6 },
    ]);
    expect(trials[4].definition.stages[6]).toMatchObject({ cell: 'gru' });
    expect(trials[4].definition.stages[5]).toEqual({ stage: 'batch', batchSize: 5 });
    expect(trials[4].definition.search).toBeUndefined();
    expect(new Set(trials.map((t) => t.definition.seed)).size).toBe(6);
    expect(trials[4].definition.seed).toBe(trialSeed(0, 4));
    expect(d.stages[6]).toMatchObject({ cell: 'lstm' }); // the base is not changed
  });

  it('random: seeded draws inside the ranges (log-uniform for rates)', () => {
    const search = { method: 'random' as const, trials: 200, seed: 3, parameters: { 'train.optimizer.lr': { logUniform: [1e-4, 1e-1] as [number, number] }, 'recurrent.hiddenSize': { int: [4, 7] as [number, number] }, 'train.clipGradNorm': { uniform: [0.5, 2] as [number, number] } } };
    const a = planTrials(namesDefinition({ search }));
    expect(a.trials).toHaveLength(200);
    expect(planTrials(namesDefinition({ search })).trials.map((t) => t.values)).toEqual(a.trials.map((t) => t.values));
    const lrs = a.trials.map((t) => t.values['train.optimizer.lr'] as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1e-1);
    // log-uniform: about a third of the draws in each decade
    const inDecade = lrs.filter((x) => x >= 1e-3 && x < 1e-2).length;
    expect(inDecade).toBeGreaterThan(45);
    expect(inDecade).toBeLessThan(90);
    expect(new Set(a.trials.map((t) => t.values['recurrent.hiddenSize']))).toEqual(new Set([4, 5, 6, 7]));
    expect(a.trials.every((t) => (t.definition.stages[7] as any).clipGradNorm >= 0.5)).toBe(true);
  });

  it('refuses ranges a grid cannot enumerate, empty ranges, and random without trials', () => {
    const grid = planTrials(namesDefinition({ search: { parameters: { 'train.optimizer.lr': { uniform: [0.1, 0.01] } } } }));
    expect(grid.problems.map((p) => p.message)).toEqual(['the range is empty', 'a grid search cannot try every value of a continuous range (uniform)']);
    expect(planTrials(namesDefinition({ search: { method: 'random', parameters: { seed: { int: [1, 3] } } } })).problems[0]).toMatchObject({ path: '/search', hint: 'add "trials": 8' });
  });
});

describe('ranking trials', () => {
  const result = (index: number, status: TrialResult['status'], metric?: number): TrialResult => ({ index, values: {}, seed: 0, status, runDir: '', seconds: 0, ...(metric !== undefined ? { metric } : {}) });
  it('sorts completed trials by the metric, best first, and failed trials last', () => {
    const trials = [result(0, 'completed', 2), result(1, 'failed'), result(2, 'completed', 1), result(3, 'completed', 3)];
    expect(rankTrials(trials, 'min').map((r) => r.index)).toEqual([2, 0, 3, 1]);
    expect(rankTrials(trials, 'max').map((r) => r.index)).toEqual([3, 0, 2, 1]);
  });
  it('reads the metric from the evaluation, or the best epoch without one', () => {
    const summary = { metrics: { test: { rmse: 2 } }, history: [{ epoch: 1, trainLoss: 3, valid: { loss: 2.5 }, lr: 1 }, { epoch: 2, trainLoss: 2, valid: { loss: 2.7 }, lr: 1 }], best: { epoch: 1, value: 2.5, monitor: 'loss' } } as unknown as RunSummary;
    expect(metricValue(summary, 'test.rmse')).toBe(2);
    expect(metricValue(summary, 'validation.loss')).toBe(2.5);
    expect(metricValue(summary, 'train.loss')).toBe(2);
    expect(metricValue(summary, 'validation.accuracy')).toBeUndefined();
  });
});
