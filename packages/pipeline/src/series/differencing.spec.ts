import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import { Tensor, tensor } from '@loopflow/tensor';
import type { Batch, SeriesSample } from '@loopflow/data';
import type { StageContext, StageDefinition } from '../vocabulary/stage';
import type { Artifacts, SeriesLayout } from '../vocabulary/artifacts';
import type { Item, SplitName } from '../vocabulary/items';
import { chronologicalSplitStage } from '../stages/data/splits';
import { differenceStage } from '../stages/data/difference';
import { scaleStage, windowsStage } from '../stages/data/series';
import { prepare } from '../stages/data/batching';
import type { PipelineModel } from '../vocabulary/model';
import { forecastAhead } from '../model/generate';
import { evaluateSplit } from '../task/evaluate';
import { orderedBatches, originalSeries, seriesInOriginalUnits, targetOffsets, windowEnd } from './original-units';
import { computeBaseline, seasonalForecasts } from '../baselines/baselines';

function context(artifacts: Artifacts = {}): StageContext {
  return { baseDir: '.', runDir: null, seed: 1, name: 't', path: '/stages/0', artifacts, emit: () => undefined };
}
async function run(stages: [StageDefinition<any>, object][], input: Item<unknown>[], ctx: StageContext): Promise<Item<any>[]> {
  let stream: Observable<unknown> = from(input);
  for (const [stage, options] of stages) stream = stage.create(options, ctx)(stream) as Observable<unknown>;
  return lastValueFrom((stream as Observable<Item<any>>).pipe(toArray()));
}

// a trend, a season of 4 and a wiggle: y_t = 100 + 0.5 t + [0, 3, 0, -3][t % 4] + sin(t) / 4
const Y = Array.from({ length: 40 }, (_, t) => 100 + 0.5 * t + [0, 3, 0, -3][t % 4] + Math.sin(t) / 4);
const rows = (): Item<number[]>[] => Y.map((y) => ({ value: [y] }));

/** Prepares split -> difference -> scale -> windows, as a run does, and the artifacts. */
async function prepareSeries(windows: object, lag = 4): Promise<{ ctx: StageContext; data: ReturnType<typeof prepare> }> {
  const ctx = context({ columns: ['y'] });
  const samples = await run([[chronologicalSplitStage, { validation: 0.2, test: 0.2 }], [differenceStage, { lag }], [scaleStage, {}], [windowsStage, windows]], rows(), ctx);
  const bySplit = (s: SplitName) => samples.filter((i) => i.split === s).map((i) => i.value);
  return { ctx, data: prepare({ train: bySplit('train'), validation: bySplit('validation'), test: bySplit('test') }, { batchSize: 5, shuffle: true, dropRemainder: false }, 1, ctx.artifacts) };
}

describe('the difference stage', () => {
  it('gives row[t] - row[t - lag] with the split of row t, and keeps the rows before for inverting', async () => {
    const ctx = context();
    const input = [...[1, 2, 4, 7, 11].map((v) => ({ value: [v], split: 'train' as const })), { value: [16], split: 'test' as const }];
    const out = await run([[differenceStage, { lag: 2 }]], input, ctx);
    expect(out.map((i) => [i.value[0], i.split])).toEqual([[3, 'train'], [5, 'train'], [7, 'train'], [9, 'test']]);
    expect(ctx.artifacts.difference).toEqual({ lag: 2, rows: [[1], [2], [4], [7], [11], [16]], splits: ['train', 'train', 'train', 'train', 'train', 'test'] });
  });

  it('refuses rows that were scaled before it, and a series too short for the lag', async () => {
    const scaled = context();
    await run([[scaleStage, {}]], [{ value: [1], split: 'train' }, { value: [2], split: 'train' }], scaled);
    await expect(run([[differenceStage, {}]], [{ value: [1] }, { value: [2] }], scaled)).rejects.toThrow(/put 'difference' before 'scale'/);
    await expect(run([[differenceStage, { lag: 3 }]], [{ value: [1] }, { value: [2] }], context())).rejects.toThrow(/has 2 rows; lag 3 needs more than 3/);
  });
});

describe('windows with targetSteps', () => {
  it("'last': one target per window, horizon steps ahead; every validation and test row is a target once", async () => {
    const { ctx, data } = await prepareSeries({ lookBack: 6, horizon: 3, targetSteps: 'last' });
    const layout = ctx.artifacts.series as SeriesLayout;
    expect(layout).toMatchObject({ horizon: 3, targetSteps: 'last', difference: { lag: 4, lastRows: Y.slice(36).map((y) => [y]) } });
    expect(targetOffsets(layout)).toEqual([3]);
    // 40 rows: train 0-23, validation 24-31, test 32-39 (differences start at row 4)
    for (const [split, first, last] of [['validation', 24, 31], ['test', 32, 39]] as const) {
      const targets = (data.samples[split] as SeriesSample[]).map((s) => windowEnd(ctx.artifacts, s) + 3);
      expect(targets).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    }
    expect(data.samples.train.at(0)?.input).toHaveLength(6);
    expect((data.samples.train.at(0) as SeriesSample).target).toHaveLength(1);
  });

  it("refuses 'last' beyond the differencing lag (the rows between would be needed)", async () => {
    await expect(prepareSeries({ lookBack: 6, horizon: 5, targetSteps: 'last' })).rejects.toThrow(/differenced at lag 4, and targetSteps 'last' predicts only the row 5 steps ahead/);
  });
});

describe('series in the original units', () => {
  it.each([
    ['last, horizon = lag', { lookBack: 6, horizon: 4, targetSteps: 'last' }, 4],
    ['all, horizon > lag: later steps add to the values predicted before them', { lookBack: 5, horizon: 3 }, 1],
    ['all, horizon < lag', { lookBack: 5, horizon: 2 }, 4],
  ])('turns the scaled differences of the targets back into the series (%s)', async (_name, windows, lag) => {
    const { ctx, data } = await prepareSeries(windows, lag);
    const offsets = targetOffsets(ctx.artifacts.series as SeriesLayout);
    for (const split of ['train', 'validation', 'test'] as SplitName[]) {
      const samples = data.samples[split] as SeriesSample[];
      let first = 0;
      for (const batch of orderedBatches(data, split)) {
        const these = samples.slice(first, first + batch.size);
        const values = seriesInOriginalUnits(ctx.artifacts, batch.targets, these); // [H, B, 1]
        these.forEach((sample, b) => offsets.forEach((k, h) => expect(values[h * batch.size + b]).toBeCloseTo(Y[windowEnd(ctx.artifacts, sample) + k], 4)));
        first += batch.size;
      }
      expect(first).toBe(samples.length);
    }
    expect(originalSeries(ctx.artifacts)?.rows.map((r) => r[0])).toEqual(Y);
  });

  it('a step beyond the lag adds to the value predicted for the step before it, never to a row the window has not seen', async () => {
    const { ctx, data } = await prepareSeries({ lookBack: 5, horizon: 3 }, 1);
    const sigma = ctx.artifacts.scaler!.inverse([1])[0] - ctx.artifacts.scaler!.inverse([0])[0];
    const samples = data.samples.test as SeriesSample[];
    const batch = orderedBatches(data, 'test')[0];
    const these = samples.slice(0, batch.size);
    // every predicted difference 0.5 (scaled) too high: the error grows by 0.5 sigma per step ahead
    const off = seriesInOriginalUnits(ctx.artifacts, tensor(Array.from(batch.targets.data, (v) => v + 0.5), batch.targets.shape), these);
    these.forEach((sample, b) => [1, 2, 3].forEach((k, h) => expect(off[h * batch.size + b] - Y[windowEnd(ctx.artifacts, sample) + k]).toBeCloseTo(0.5 * sigma * k, 4)));
  });

  it('evaluation reports RMSE in the original units on the same points as the seasonal-naive baseline', async () => {
    const { ctx, data } = await prepareSeries({ lookBack: 6, horizon: 4, targetSteps: 'last' });
    // a "model" that predicts a difference of 0: the value 4 steps before the target = seasonal naive with season 4
    const zero: PipelineModel = { description: { kind: 'fake', task: 'forecast', options: {}, input: { kind: 'features', size: 1 }, outputSize: 1 }, modules: {}, stateful: false, forward: (b: Batch) => ({ output: scaledZero(ctx, b) }) };
    const model = evaluateSplit({ data, model: zero }, 'test');
    const naive = computeBaseline(data, 'seasonal-naive', { season: 4 }, ['test']);
    expect(model?.metrics.count).toBe(8);
    expect(naive.metrics.test?.count).toBe(8);
    expect(model?.metrics.rmse).toBeCloseTo(naive.metrics.test?.rmse as number, 4);
    // and the baseline by hand: the test split (rows 32-39), each target minus the value 4 rows before it
    const byHand = Math.sqrt(Y.slice(32).reduce((s, y, i) => s + (y - Y[28 + i]) ** 2, 0) / 8);
    expect(naive.metrics.test?.rmse).toBeCloseTo(byHand, 10);
    expect(seasonalForecasts(data, 'seasonal-naive-drift', { season: 4 }, 'test')[0].rows).toEqual([32]);
  });
});

/** The scaled value of a difference of 0, for every batch column: `[1, B, 1]`. */
function scaledZero(ctx: StageContext, batch: Batch): Tensor {
  const z = ctx.artifacts.scaler!.transform([0])[0];
  return tensor(new Array(batch.size).fill(z), [1, batch.size, 1]);
}

describe('forecastAhead with differences (hand-worked)', () => {
  const fixed = (values: number[]): PipelineModel => ({
    description: { kind: 'fake', task: 'forecast', options: {}, input: { kind: 'features', size: 1 }, outputSize: values.length, horizon: values.length, targetFeatures: 1 },
    modules: {},
    stateful: false,
    forward: () => ({ output: tensor(values, [values.length, 1, 1]) }),
  });
  const base = { lookBack: 2, inputColumns: [0], targetColumns: [0], lastRows: [[0], [0]] };

  it("'last' at lag 12-style: the predicted difference added to the row `lag` steps before the target", () => {
    const layout: SeriesLayout = { ...base, horizon: 2, targetSteps: 'last', difference: { lag: 2, lastRows: [[10], [20]] } };
    // the target is 2 steps ahead; 2 steps before it is the last observed row (20)
    expect(forecastAhead(fixed([5]), layout, undefined, 12)).toEqual([{ step: 2, values: [25] }]);
  });

  it("'all' with lag 1: each step adds to the one before, predicted or observed, and feeds back", () => {
    const layout: SeriesLayout = { ...base, horizon: 2, difference: { lag: 1, lastRows: [[20]] } };
    expect(forecastAhead(fixed([1, 2]), layout, undefined, 5).map((r) => [r.step, r.values[0]])).toEqual([[1, 21], [2, 23], [3, 24], [4, 26], [5, 27]]);
  });
});
