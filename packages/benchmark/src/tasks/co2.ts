import { Random, Tensor, select } from '@loopflow/tensor';
import { mseLoss } from '@loopflow/losses';
import { Scaler, chronologicalSplit } from '@loopflow/data';
import { loadCo2Concentration } from '@loopflow/datasets';
import { fail } from '../errors';
import { squaredErrorSum } from './adding';
import { EvaluationSizes, TaskBatch, TaskInstance } from './task';

/** A window of a series: `lookBack` past values and the value `horizon` steps after the last. */
export interface SeriesWindow {
  input: number[];
  target: number;
  /** Index of the target in the series it was cut from. */
  at: number;
}

/**
 * The windows of a series whose targets lie at `firstTarget` or later: `lookBack` values
 * ending `horizon` steps before each target.
 *
 * @example seriesWindowsOf([1, 2, 3, 4, 5], 2, 2) // [{ input: [1, 2], target: 4, at: 3 }, { input: [2, 3], target: 5, at: 4 }]
 */
export function seriesWindowsOf(series: readonly number[], lookBack: number, horizon = 1, firstTarget = 0): SeriesWindow[] {
  if (!Number.isInteger(lookBack) || lookBack < 1) fail('INVALID_ARGUMENT', `seriesWindowsOf: lookBack = ${lookBack}; expected a whole number >= 1`);
  if (!Number.isInteger(horizon) || horizon < 1) fail('INVALID_ARGUMENT', `seriesWindowsOf: horizon = ${horizon}; expected a whole number >= 1`);
  const out: SeriesWindow[] = [];
  for (let at = Math.max(firstTarget, lookBack + horizon - 1); at < series.length; at++) {
    out.push({ input: series.slice(at - horizon - lookBack + 1, at - horizon + 1), target: series[at], at });
  }
  return out;
}

/** `x[t] - x[t - lag]` for t >= lag. */
export function lagDifferences(series: readonly number[], lag: number): number[] {
  return series.slice(lag).map((v, i) => v - series[i]);
}

function batchOf(windows: readonly SeriesWindow[]): TaskBatch {
  const B = windows.length;
  const L = windows[0].input.length;
  const x = new Float32Array(L * B);
  const y = new Float32Array(B);
  windows.forEach((w, b) => {
    w.input.forEach((v, t) => (x[t * B + b] = v));
    y[b] = w.target;
  });
  return { inputs: new Tensor(x, [L, B, 1]), targets: new Tensor(y, [B, 1]) };
}

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / xs.length);

/** Months ahead the CO2 task forecasts (as in examples/co2-forecast). */
export const CO2_HORIZON = 12;

/**
 * The CO2 forecast of examples/co2-forecast (Mauna Loa monthly means, @loopflow/datasets
 * `loadCo2Concentration`, 746 months): from the last `lookBack` 12-month differences
 * `d[t] = x[t] - x[t-12]`, predict the difference 12 months ahead, i.e. the level a year ahead
 * as `x[t] + d[t+12]`. The differences are split in time order (the last 10% test, the 10%
 * before validation) and standardised with the training part's mean and deviation. Metric:
 * test RMSE of the year-ahead level in ppm. Baselines at the same target months: seasonal naive
 * (`x[t+12] = x[t]`) and seasonal naive with the training part's mean yearly drift; solved =
 * below the one with drift.
 */
export function co2Task(lookBack: number, sizes: EvaluationSizes): TaskInstance {
  if (!Number.isInteger(lookBack) || lookBack < 12) fail('INVALID_ARGUMENT', `co2Task: lookBack = ${lookBack}; expected a whole number of at least 12 months (a full season)`);
  const horizon = CO2_HORIZON;
  const co2 = loadCo2Concentration().months.map((m) => m.co2);
  const yearly = lagDifferences(co2, 12); // ppm over the 12 months before
  const context = lookBack + horizon - 1;
  const split = chronologicalSplit(yearly, { validation: 0.1, test: 0.1, context });
  const scaler = Scaler.fit('standard', split.train.map((v) => [v]));
  const z = (list: readonly number[]) => list.map((v) => scaler.transform([v])[0]);
  const std = scaler.inverse([1])[0] - scaler.inverse([0])[0];
  const drift = split.train.reduce((a, b) => a + b, 0) / split.train.length;
  const contextOf = (range: [number, number]) => range[0] - Math.max(0, range[0] - context); // context rows actually prepended
  const train = seriesWindowsOf(z(split.train), lookBack, horizon);
  const validation = seriesWindowsOf(z(split.validation), lookBack, horizon, contextOf(split.ranges.validation)).slice(0, sizes.validationSize);
  const testFirst = contextOf(split.ranges.test);
  const testRaw = seriesWindowsOf(split.test, lookBack, horizon, testFirst).slice(0, sizes.testSize);
  const test = seriesWindowsOf(z(split.test), lookBack, horizon, testFirst).slice(0, sizes.testSize);
  const seasonal = rms(testRaw.map((w) => w.target)); // predicts d = 0
  const withDrift = rms(testRaw.map((w) => w.target - drift));
  return {
    task: 'co2',
    id: `co2/lookBack=${lookBack}`,
    setting: { name: 'look-back', value: lookBack },
    inputSize: 1,
    outputSize: 1,
    maxLength: lookBack,
    readFrom: (T) => T - 1,
    trainBatch: (rng: Random, batchSize: number) => batchOf(Array.from({ length: batchSize }, () => train[rng.int(train.length)])),
    validation: [batchOf(validation)],
    test: [batchOf(test)],
    evaluate(outputs, batch) {
      const pred = select(outputs, 0, outputs.shape[0] - 1); // [B, 1], standardised 12-month difference
      return { loss: mseLoss(pred, batch.targets), metricSum: squaredErrorSum(pred, batch.targets) * std * std, count: batch.targets.shape[0] };
    },
    metric: {
      name: 'RMSE (ppm)',
      better: 'lower',
      solvedAt: withDrift,
      solvedRule: `test RMSE below seasonal naive with drift (${withDrift.toFixed(3)} ppm)`,
      finish: (m) => Math.sqrt(m),
      baselines: [
        { name: 'seasonal naive', value: seasonal },
        { name: 'seasonal naive + drift', value: withDrift },
      ],
    },
    description: `CO2 forecast (as examples/co2-forecast): Mauna Loa CO2 ${horizon} months ahead from the last ${lookBack} 12-month differences; ${train.length} training windows, ${validation.length} validation, ${test.length} test target months (chronological split 80/10/10); RMSE in ppm.`,
  };
}
