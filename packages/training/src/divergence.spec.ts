/**
 * Runs that must not "complete": a diverging loss, weights turned non-finite, a stop request
 * (checkpoint, then INTERRUPTED); and resume passing over a damaged newest checkpoint.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Tensor, mul, scalar, sub } from '@loopflow/tensor';
import { adam, sgd } from '@loopflow/optimizers';
import type { RecurrentState } from '@loopflow/cells';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { train } from './train';
import { listCheckpoints } from './checkpoint-read';
import { TinyModel, TokenBatch, runAll, tempDir, tinyForward, tinyModel, toBatches, tokenSequences, weightsOf } from './spec-helpers';
import type { ForwardFn, ResumeEvent, StepEvent, TrainOptions } from './types';
import type { CheckpointFs } from './checkpoint-fs';

interface Scalar {
  w: Tensor;
}
const squaredError: ForwardFn<Scalar, number, never> = (m, target) => {
  const d = sub(m.w, target);
  return { loss: mul(d, d) };
};
const scalarOptions = (lr: number, extra: Partial<TrainOptions<Scalar, number, never>> = {}): TrainOptions<Scalar, number, never> => ({
  model: { w: scalar(0, { dtype: 'float64', requiresGrad: true }) },
  forward: squaredError,
  optimizer: (p) => sgd(p, { lr }),
  trainBatches: () => [3, 3, 3, 3],
  epochs: 5,
  ...extra,
});

describe('divergence is a failed run, naming the epoch and the step', () => {
  it('a loss grown past 1e4 times the first step fails with DIVERGED (SGD lr 1.5 on (w-3)^2: the loss is 9 * 4^(n-1) at step n)', async () => {
    const steps: StepEvent[] = [];
    const run = lastValueFrom(train(scalarOptions(1.5)).pipe(tap((e) => e.type === 'step' && steps.push(e))));
    // w <- w - 1.5 * 2 (w - 3) = 9 - 2w: |w - 3| doubles each step; step 8's loss 9 * 4^7 = 147456 > 1e4 * 9
    await expect(run).rejects.toMatchObject({ code: 'DIVERGED', details: { epoch: 2, step: 8, batch: 3, value: 9 * 4 ** 7, lastCheckpoint: null } });
    await expect(lastValueFrom(train(scalarOptions(1.5)))).rejects.toThrow(/the run diverged: the loss is 1\.475e\+5, more than 10000 times the first step's 9\.000 at epoch 2, step 8 \(batch 3\)/);
    expect(steps.map((s) => s.loss)).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => 9 * 4 ** n)); // step 8 was not taken
  });

  it('divergence.factor sets the limit; false turns the loss test off', async () => {
    await expect(runAll(scalarOptions(1.5, { divergence: { factor: 100 } }))).rejects.toMatchObject({ code: 'DIVERGED', details: { step: 5 } }); // 9 * 4^4 = 2304 > 900
    const events = await runAll(scalarOptions(1.5, { divergence: false, epochs: 2 }));
    expect(events[events.length - 1]).toMatchObject({ type: 'done', steps: 8 });
    await expect(runAll(scalarOptions(1.5, { divergence: { factor: 1 } }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a weight turned infinite by a step fails with DIVERGED naming the parameter', async () => {
    // the first step: loss 9, gradient -6 (finite); w <- 0 - 1e308 * -6 overflows to Infinity
    await expect(runAll(scalarOptions(1e308))).rejects.toMatchObject({
      code: 'DIVERGED',
      details: { epoch: 1, step: 1, batch: 0, value: 9 },
      message: expect.stringContaining('after the update w holds NaN or Infinity'),
    });
  });
});

const batches = toBatches(tokenSequences(6, 6), 2); // 3 batches per epoch
const tiny = (model: TinyModel, extra: Partial<TrainOptions<TinyModel, TokenBatch, RecurrentState>> = {}): TrainOptions<TinyModel, TokenBatch, RecurrentState> => ({
  model, forward: tinyForward, optimizer: (p) => adam(p, { lr: 0.05 }), trainBatches: () => batches, epochs: 2, seed: 5, ...extra,
});

describe('a stop request (signal)', () => {
  it('finishes the batch, writes a checkpoint there and fails with INTERRUPTED; resuming from it ends bit-identical to an uninterrupted run', async () => {
    const reference = tinyModel();
    await runAll(tiny(reference));
    const { dir, cleanup } = tempDir('interrupt');
    try {
      const signal = { aborted: false };
      const model = tinyModel();
      const seen: string[] = [];
      const run = lastValueFrom(
        train(tiny(model, { checkpoint: { dir }, signal })).pipe(
          tap((e) => {
            seen.push(e.type);
            if (e.type === 'step' && e.step === 4) signal.aborted = true; // in epoch 2, after its first batch
          }),
          toArray(),
        ),
      );
      await expect(run).rejects.toMatchObject({ code: 'INTERRUPTED', details: { epoch: 2, step: 4, batch: 1 } });
      expect(seen.slice(-2)).toEqual(['step', 'checkpoint']);
      const written = listCheckpoints(fs as unknown as CheckpointFs, dir).map((c) => path.basename(c.path));
      expect(written).toEqual(['epoch-0002-step-00000004']);
      const resumed = tinyModel(7);
      const events = await runAll(tiny(resumed, { resumeFrom: dir }));
      expect(events[0]).toMatchObject({ type: 'resume', epoch: 1, step: 4 });
      expect(weightsOf(resumed)).toEqual(weightsOf(reference));
    } finally {
      cleanup();
    }
  });
});

describe('resume falls back from a damaged newest checkpoint to the newest intact one, saying so', () => {
  it('a truncated model.safetensors or an unreadable trainer.json in the newest: the older one is used and both are named', async () => {
    const { dir, cleanup } = tempDir('fallback');
    try {
      const reference = tinyModel();
      await runAll(tiny(reference, { epochs: 3, checkpoint: { dir, keep: 3 } }));
      const [epoch1, epoch2, epoch3] = listCheckpoints(fs as unknown as CheckpointFs, dir).map((c) => c.path);
      fs.truncateSync(path.join(epoch3, 'model.safetensors'), 100);
      fs.writeFileSync(path.join(epoch2, 'trainer.json'), '{ "format": "loopflow.checkpoint/1", ');
      const resumed = tinyModel(8);
      const events = await runAll(tiny(resumed, { epochs: 3, resumeFrom: dir }));
      const resume = events[0] as ResumeEvent;
      expect(resume).toMatchObject({ type: 'resume', epoch: 1, path: epoch1 });
      expect(resume.skipped?.map((s) => s.path).sort()).toEqual([epoch2, epoch3]);
      expect(resume.skipped?.find((s) => s.path === epoch3)?.reason).toMatch(/model\.safetensors has 100 bytes but trainer\.json recorded \d+/);
      expect(resume.skipped?.find((s) => s.path === epoch2)?.reason).toMatch(/trainer\.json is not valid JSON/);
      expect(weightsOf(resumed)).toEqual(weightsOf(reference)); // epochs 2 and 3 retrained from epoch 1: the same weights

      fs.truncateSync(path.join(epoch1, 'optimizer.json'), 3);
      await expect(runAll(tiny(tinyModel(), { epochs: 3, resumeFrom: dir }))).rejects.toMatchObject({
        code: 'CHECKPOINT_INVALID',
        message: expect.stringMatching(/no intact checkpoint: .*epoch-0002.*epoch-0003.*epoch-0001/),
      });
    } finally {
      cleanup();
    }
  });
});
