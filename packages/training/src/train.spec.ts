/**
 * The events of `train`, hand-checked on a one-parameter model, and its behaviour: batch
 * sources, unsubscribing, validation means, a non-finite loss, early stopping.
 */
import { Tensor, mul, scalar, square, sub, tensor } from '@loopflow/tensor';
import { adam, sgd } from '@loopflow/optimizers';
import { asyncScheduler, from, lastValueFrom, scheduled, take, tap, toArray } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import { train } from './train';
import { runAll, tempDir } from './spec-helpers';
import type { EpochEvent, ForwardFn, StepEvent, TrainEvent, TrainOptions } from './types';

/** w, trained towards the batch's target: loss = (w - target)^2, gradient 2 (w - target). */
interface Scalar {
  w: Tensor;
}
const scalarModel = (w0 = 0): Scalar => ({ w: scalar(w0, { dtype: 'float64', requiresGrad: true }) });
const squaredError: ForwardFn<Scalar, number, never> = (m, target) => {
  const d = sub(m.w, target);
  return { loss: mul(d, d), metrics: { abs: Math.abs(m.w.item() - target) } };
};

function scalarOptions(overrides: Partial<TrainOptions<Scalar, number, never>> = {}): TrainOptions<Scalar, number, never> {
  return { model: scalarModel(), forward: squaredError, optimizer: (p) => sgd(p, { lr: 0.1 }), trainBatches: () => [3, 3], epochs: 2, ...overrides };
}

/** SGD with lr 0.1 on (w - 3)^2: w <- 0.8 w + 0.6. */
function handTrajectory(w0: number, steps: number): number[] {
  const ws = [w0];
  for (let i = 0; i < steps; i++) ws.push(0.8 * ws[i] + 0.6);
  return ws;
}

describe('train: events', () => {
  it('emits step, epoch and done with the hand-computed numbers', async () => {
    const events = await runAll(scalarOptions({ validBatches: () => [3] }));
    expect(events.map((e) => e.type)).toEqual(['step', 'step', 'epoch', 'step', 'step', 'epoch', 'done']);
    const ws = handTrajectory(0, 4);
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    steps.forEach((e, i) => {
      expect(e.step).toBe(i + 1);
      expect(e.epoch).toBe(i < 2 ? 1 : 2);
      expect(e.batch).toBe(i % 2);
      expect(e.loss).toBeCloseTo((ws[i] - 3) ** 2, 12);
      expect(e.gradNorm).toBeCloseTo(Math.abs(2 * (ws[i] - 3)), 12);
      expect(e.lr).toBe(0.1);
      expect(e.ms).toBeGreaterThanOrEqual(0);
    });
    const epochs = events.filter((e): e is EpochEvent => e.type === 'epoch');
    expect(epochs[0].trainLoss).toBeCloseTo(((ws[0] - 3) ** 2 + (ws[1] - 3) ** 2) / 2, 12);
    expect(epochs[1].valid!.loss).toBeCloseTo((ws[4] - 3) ** 2, 12);
    expect(epochs[1].valid!.abs).toBeCloseTo(3 - ws[4], 12);
    expect(events[events.length - 1]).toEqual({ type: 'done', epochs: 2, steps: 4, best: { epoch: 2, value: epochs[1].valid!.loss, monitor: 'loss' } });
  });

  it('takes batches from an array, an Observable, an async iterable or a generator alike', async () => {
    const last = async (batches: TrainOptions<Scalar, number, never>['trainBatches']) => {
      const model = scalarModel();
      await runAll(scalarOptions({ model, trainBatches: batches }));
      return model.w.item();
    };
    const expected = handTrajectory(0, 4)[4];
    expect(await last(() => [3, 3])).toBeCloseTo(expected, 14);
    expect(await last(() => from([3, 3]))).toBeCloseTo(expected, 14);
    expect(await last(() => scheduled([3, 3], asyncScheduler))).toBeCloseTo(expected, 14);
    expect(await last(() => (async function* () { yield 3; yield 3; })())).toBeCloseTo(expected, 14);
    expect(await last(() => (function* () { yield 3; yield 3; })())).toBeCloseTo(expected, 14);
  });

  it('weights the validation means by the count the forward returns', async () => {
    const model = scalarModel(1);
    const forward: ForwardFn<Scalar, number, never> = (m, target, _s, ctx) => {
      const d = sub(m.w, target);
      return { loss: mul(d, d), metrics: { target }, count: ctx.training ? undefined : target };
    };
    const events = await runAll(scalarOptions({ model, forward, optimizer: (p) => sgd(p, { lr: 0 }), epochs: 1, validBatches: () => [1, 3] }));
    const valid = (events.find((e) => e.type === 'epoch') as EpochEvent).valid!;
    expect(valid.loss).toBeCloseTo((1 * 0 + 3 * 4) / 4, 14); // w = 1: losses 0 (count 1) and 4 (count 3)
    expect(valid.target).toBeCloseTo((1 * 1 + 3 * 3) / 4, 14);
  });

  it('stops cleanly between steps when unsubscribed', async () => {
    const model = scalarModel();
    const seen = await lastValueFrom(train(scalarOptions({ model, epochs: 50 })).pipe(take(3), toArray()));
    expect(seen.map((e) => e.type)).toEqual(['step', 'step', 'epoch']);
    await new Promise((r) => setTimeout(r, 20));
    expect(model.w.item()).toBeCloseTo(handTrajectory(0, 2)[2], 14); // no step after the unsubscription
  });

  it('refuses a second run on a model that is being trained', async () => {
    const model = scalarModel();
    const first = train(scalarOptions({ model, epochs: 5 })).subscribe();
    await expect(runAll(scalarOptions({ model }))).rejects.toMatchObject({ code: 'ALREADY_TRAINING' });
    first.unsubscribe();
  });

  it('refuses invalid options with a message naming the option', async () => {
    await expect(runAll(scalarOptions({ epochs: 0 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('epochs') });
    await expect(runAll(scalarOptions({ trainBatches: () => [] }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('no batches for epoch 1') });
    const notScalar: ForwardFn<Scalar, number, never> = (m) => ({ loss: mul(m.w, tensor([1, 2], undefined, { dtype: 'float64' })) });
    await expect(runAll(scalarOptions({ forward: notScalar }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('scalar') });
    await expect(runAll(scalarOptions({ bptt: { stepsPerUpdate: 2 } }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('sliceTime') });
  });
});

describe('train: a non-finite loss', () => {
  /** (w - 3)^2, but NaN at step `badStep`. */
  const nanAt = (badStep: number): ForwardFn<Scalar, number, never> => (m, target, _s, ctx) => {
    const d = sub(m.w, target);
    return { loss: ctx.step === badStep ? mul(mul(d, d), NaN) : mul(d, d) };
  };

  it('stops with NONFINITE_LOSS naming the epoch, the step and the last checkpoint; the weights are not updated', async () => {
    const { dir, cleanup } = tempDir('nan');
    try {
      const model = scalarModel();
      const seen: TrainEvent[] = [];
      const run = lastValueFrom(train(scalarOptions({ model, forward: nanAt(5), epochs: 4, checkpoint: { dir } })).pipe(tap((e) => seen.push(e))));
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LoopflowError);
      const e = error as LoopflowError & { details: { epoch: number; step: number; lastCheckpoint: string } };
      expect(e.code).toBe('NONFINITE_LOSS');
      expect(e.message).toContain('epoch 3, step 5');
      const lastCheckpoint = seen.filter((x) => x.type === 'checkpoint').pop() as { path: string };
      expect(lastCheckpoint.path).toMatch(/epoch-0002$/);
      expect(e.message).toContain(lastCheckpoint.path);
      expect(e.details).toMatchObject({ epoch: 3, step: 5, lastCheckpoint: lastCheckpoint.path });
      expect(seen.filter((x) => x.type === 'step')).toHaveLength(4);
      expect(model.w.item()).toBeCloseTo(handTrajectory(0, 4)[4], 14); // step 5 did not touch the weights
    } finally {
      cleanup();
    }
  });

  it('says "none written" when there is no checkpoint; an infinite loss is caught too', async () => {
    const infinite: ForwardFn<Scalar, number, never> = (m, target, _s, ctx) => ({ loss: ctx.step === 2 ? mul(square(sub(m.w, target)), Infinity) : square(sub(m.w, target)) });
    await expect(runAll(scalarOptions({ forward: nanAt(1) }))).rejects.toMatchObject({ code: 'NONFINITE_LOSS', message: expect.stringMatching(/epoch 1, step 1 .*none written/) });
    await expect(runAll(scalarOptions({ forward: infinite }))).rejects.toMatchObject({ code: 'NONFINITE_LOSS', message: expect.stringContaining('Infinity at epoch 1, step 2') });
  });
});

describe('train: early stopping', () => {
  // w trains towards 3 from 0 (w: 0.6, 1.08, 1.464, ...); validated against 1, the loss
  // (w - 1)^2 falls until w passes 1 (epoch 2 of one batch each) and rises after.
  const options = (restoreBest: boolean, patience = 2) =>
    scalarOptions({ model: scalarModel(), trainBatches: () => [3], validBatches: () => [1], epochs: 20, earlyStopping: { patience, restoreBest } });

  it('stops after `patience` epochs without improvement and restores the best weights exactly', async () => {
    const o = options(true);
    const snapshots: number[] = [];
    const events = await lastValueFrom(train(o).pipe(tap((e) => e.type === 'epoch' && snapshots.push(o.model.w.item())), toArray()));
    const ws = handTrajectory(0, 20);
    const best = [1, 2, 3, 4].reduce((b, epoch) => ((ws[epoch] - 1) ** 2 < (ws[b] - 1) ** 2 ? epoch : b), 1);
    expect(best).toBe(2);
    const stop = events.find((e) => e.type === 'early-stop');
    expect(stop).toEqual({ type: 'early-stop', epoch: best + 2, bestEpoch: best, best: (ws[best] - 1) ** 2 });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(best + 2);
    expect(o.model.w.item()).toBe(snapshots[best - 1]); // the best epoch's weight, bit for bit
    expect(events[events.length - 1]).toMatchObject({ type: 'done', epochs: best + 2, best: { epoch: best, monitor: 'loss' } });
  });

  it('keeps the last weights without restoreBest; minDelta demands a larger improvement', async () => {
    const o = options(false);
    await runAll(o);
    expect(o.model.w.item()).toBeCloseTo(handTrajectory(0, 4)[4], 14);
    const strict = scalarOptions({ model: scalarModel(), trainBatches: () => [3], validBatches: () => [1], epochs: 20, earlyStopping: { patience: 1, minDelta: 0.5 } });
    const events = await runAll(strict);
    // epoch 1: (0.6-1)^2 = 0.16 is the first value; epoch 2: 0.0064 is not 0.5 below it -> stop
    expect(events.find((e) => e.type === 'early-stop')).toMatchObject({ epoch: 2, bestEpoch: 1 });
  });

  it('monitors a validation metric in max mode', async () => {
    const o = scalarOptions({
      model: scalarModel(), trainBatches: () => [3], validBatches: () => [1], epochs: 20,
      forward: (m, t) => ({ loss: square(sub(m.w, t)), metrics: { closeness: -Math.abs(m.w.item() - 1) } }),
      earlyStopping: { patience: 1, mode: 'max', monitor: 'closeness' },
    });
    const events = await runAll(o);
    expect(events.find((e) => e.type === 'early-stop')).toMatchObject({ epoch: 3, bestEpoch: 2 });
  });

  it('monitors a metric of validMetrics (measured once per validation pass): same stop as the forward metric; the pass\'s loss wins a clash', async () => {
    let model = scalarModel();
    const seen: number[] = [];
    const o = scalarOptions({
      model, trainBatches: () => [3], validBatches: () => [1], epochs: 20,
      validMetrics: ({ epoch }) => {
        seen.push(epoch);
        return { closeness: -Math.abs(model.w.item() - 1), loss: 1234 };
      },
      earlyStopping: { patience: 1, mode: 'max', monitor: 'closeness' },
    });
    const events = await runAll(o);
    expect(events.find((e) => e.type === 'early-stop')).toMatchObject({ epoch: 3, bestEpoch: 2 });
    expect(seen).toEqual([1, 2, 3]);
    const epochs = events.filter((e): e is Extract<typeof e, { type: 'epoch' }> => e.type === 'epoch');
    expect(epochs[0].valid?.loss).not.toBe(1234);
    expect(epochs[0].valid?.closeness).toBeLessThan(0);
    model = scalarModel();
    await expect(runAll(scalarOptions({ model, validMetrics: () => ({}) }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('validMetrics needs validBatches') });
  });
});

describe('train: schedules and optimizers', () => {
  it('steps an lr schedule per epoch and reports the lr each step used', async () => {
    const { lrScheduler, stepLR } = await import('@loopflow/optimizers');
    const events = await runAll(scalarOptions({ epochs: 3, schedule: { scheduler: (opt) => lrScheduler(opt, stepLR(1, 0.5)) } }));
    expect(events.filter((e): e is StepEvent => e.type === 'step').map((e) => e.lr)).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  });

  it('accepts an optimizer instance over the model parameters and refuses one over other tensors', async () => {
    const model = scalarModel();
    await runAll(scalarOptions({ model, optimizer: adam([model.w], { lr: 0.01 }) }));
    expect(model.w.item()).not.toBe(0);
    await expect(runAll(scalarOptions({ optimizer: adam([scalar(0, { requiresGrad: true })]) }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not a parameter of the model') });
  });
});
