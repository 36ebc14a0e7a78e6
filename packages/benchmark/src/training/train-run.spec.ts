import { runTrainJob, TrainJob } from './train-run';

const base: TrainJob = {
  kind: 'train', id: 'adding/T=6/gru/seed=0', task: { task: 'adding', length: 6, validationSize: 200, testSize: 400 },
  model: 'gru', seed: 0, budget: 1500, batchSize: 32, maxSteps: 20, evalEvery: 10, lr: 0.01, clipGradNorm: 1,
  stopWhenSolved: false, flowAfterTraining: true,
};

describe('runTrainJob (through @loopflow/training train)', () => {
  it('records a validation point every evalEvery steps, the test metric, timings and memory', async () => {
    const progress: number[] = [];
    const r = await runTrainJob(base, (p) => progress.push(p.step));
    expect(r.steps).toBe(20);
    expect(r.curve.map((p) => p.step)).toEqual([10, 20]);
    expect(r.stopped).toBe('max-steps');
    expect(Number.isFinite(r.test)).toBe(true);
    expect(r.msPerStep).toBeGreaterThan(0);
    // In this process other tests' garbage is noise of a few MiB either way; compare.spec checks
    // the figure in worker processes of its own, where it is clean.
    expect(r.heapPeakBytes).toBeGreaterThanOrEqual(0);
    expect(r.parameters).toBeGreaterThan(1300);
    expect(r.parameters).toBeLessThan(1700);
    expect(r.flowAfter?.stage).toBe('trained');
    expect(r.flowAfter?.layers[0].norms).toHaveLength(6);
    expect(progress).toContain(20);
  });

  it('learns: a GRU brings the short adding problem well below the 0.167 baseline, and stops once solved', async () => {
    const r = await runTrainJob({ ...base, id: 'learn', task: { task: 'adding', length: 4, validationSize: 200, testSize: 400 }, maxSteps: 400, evalEvery: 20, lr: 0.02, stopWhenSolved: true, flowAfterTraining: false });
    expect(r.curve[0].valid).toBeGreaterThan(r.test);
    expect(r.test).toBeLessThan(0.05);
    expect(r.stepsToSolve).not.toBeNull();
    expect(r.stopped).toBe('solved');
    expect(r.steps).toBe(r.stepsToSolve);
    expect(r.steps).toBeLessThan(400);
    expect(r.curve.at(-1)!.valid).toBeLessThan(0.01);
  });

  it('classification tasks report accuracy per group (long-context by distance)', async () => {
    const r = await runTrainJob({ ...base, id: 'lc', task: { task: 'long-context', distances: [4, 6], validationSize: 16, testSize: 16 }, model: 'lstm', maxSteps: 4, evalEvery: 2, flowAfterTraining: false });
    expect(r.testByGroup?.map((g) => g.group)).toEqual([4, 6]);
    expect(r.test).toBeCloseTo((r.testByGroup![0].value + r.testByGroup![1].value) / 2, 12);
  });
});
