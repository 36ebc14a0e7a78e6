import { reshape } from '@loopflow/tensor';
import { loadCo2Concentration } from '@loopflow/datasets';
import { co2Task, lagDifferences, seriesWindowsOf } from './co2';

describe('CO2 forecast', () => {
  it('cuts windows that end `horizon` steps before their target', () => {
    expect(seriesWindowsOf([1, 2, 3, 4], 2)).toEqual([
      { input: [1, 2], target: 3, at: 2 },
      { input: [2, 3], target: 4, at: 3 },
    ]);
    expect(seriesWindowsOf([1, 2, 3, 4, 5], 2, 2)).toEqual([
      { input: [1, 2], target: 4, at: 3 },
      { input: [2, 3], target: 5, at: 4 },
    ]);
    expect(seriesWindowsOf([1, 2, 3, 4, 5], 2, 2, 4)).toEqual([{ input: [2, 3], target: 5, at: 4 }]);
    expect(lagDifferences([1, 2, 4, 7], 2)).toEqual([3, 5]);
  });

  it('scores the year-ahead level in ppm against seasonal naive, with and without drift', () => {
    const task = co2Task(24, { validationSize: 1000, testSize: 1000 });
    const [seasonal, drift] = task.metric.baselines;
    // CO2 rises ~1.5-2.5 ppm a year: last year's value misses by about that, the drift halves it or better.
    expect(seasonal.value).toBeGreaterThan(1.5);
    expect(drift.value).toBeLessThan(seasonal.value);
    expect(task.metric.solvedAt).toBe(drift.value);
    const n = task.test[0].targets.shape[0];
    expect(task.test[0].inputs.shape).toEqual([24, n, 1]);
    expect(n).toBe(Math.round(0.1 * (746 - 12))); // every month of the test part is a target once
  });

  it('the exact difference scores 0; the seasonal-naive baseline matches a hand computation on the raw series', () => {
    const task = co2Task(24, { validationSize: 1000, testSize: 1000 });
    const batch = task.test[0];
    const exact = task.evaluate(reshape(batch.targets, [1, ...batch.targets.shape]), batch); // [1, B, 1]
    expect(exact.metricSum).toBe(0);
    // The seasonal-naive baseline, recomputed by hand from the raw series: x[t+12] = x[t].
    const co2 = loadCo2Concentration().months.map((m) => m.co2);
    const last = co2.slice(co2.length - batch.targets.shape[0]);
    const errors = last.map((v, i) => v - co2[co2.length - batch.targets.shape[0] + i - 12]);
    const byHand = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    expect(task.metric.baselines[0].value).toBeCloseTo(byHand, 9);
  });
});
