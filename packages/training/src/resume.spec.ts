/**
 * Resume is exact: a run stopped after epoch k (or mid-epoch) and resumed from its checkpoint
 * ends with bit-identical weights to an uninterrupted run with the same seed, with shuffling,
 * dropout from a model-held generator and from ctx.rng, Adam, clipping and schedules on.
 */
import { adam, cosineAnnealingLR, lrScheduler, reduceLROnPlateau } from '@loopflow/optimizers';
import type { RecurrentState } from '@loopflow/cells';
import { lastValueFrom, takeWhile, toArray } from 'rxjs';
import { timeMajorSlicer } from './bptt';
import { listCheckpoints } from './checkpoint-read';
import { train } from './train';
import { TinyModel, TokenBatch, runAll, shuffledBatches, tempDir, tinyForward, tinyModel, toBatches, tokenSequences, weightsOf } from './spec-helpers';
import type { StepEvent, TrainEvent, TrainOptions } from './types';
import * as fs from 'fs';

const sequences = tokenSequences(6, 8);
const validation = toBatches(tokenSequences(2, 8, 5, 77), 2);

/** Epoch checkpoints; plateau schedule on the validation loss; early stopping that keeps the best weights. */
function epochOptions(model: TinyModel, extra: Partial<TrainOptions<TinyModel, TokenBatch, RecurrentState>>): TrainOptions<TinyModel, TokenBatch, RecurrentState> {
  return {
    model,
    forward: tinyForward,
    optimizer: (params) => adam(params, { lr: 0.05 }),
    schedule: { scheduler: (opt) => reduceLROnPlateau(opt, { patience: 0, factor: 0.5 }) },
    clipGradNorm: 0.5,
    trainBatches: shuffledBatches(sequences, 2),
    validBatches: () => validation,
    earlyStopping: { patience: 100, restoreBest: true },
    epochs: 4,
    seed: 3,
    ...extra,
  };
}

/** Step checkpoints inside epochs; truncated BPTT with the state carried across batches; a per-step cosine schedule. */
function stepOptions(model: TinyModel, extra: Partial<TrainOptions<TinyModel, TokenBatch, RecurrentState>>): TrainOptions<TinyModel, TokenBatch, RecurrentState> {
  return {
    model,
    forward: tinyForward,
    optimizer: (params) => adam(params, { lr: 0.05 }),
    schedule: { scheduler: (opt) => lrScheduler(opt, cosineAnnealingLR(40)), every: 'step' },
    clipGradNorm: 1,
    bptt: { stepsPerUpdate: 3, slicer: timeMajorSlicer(['inputs', 'targets']) },
    resetState: 'epoch',
    trainBatches: shuffledBatches(sequences, 2),
    epochs: 3,
    seed: 'step-run',
    ...extra,
  };
}

const stepLosses = (events: TrainEvent[]): number[] => events.filter((e): e is StepEvent => e.type === 'step').map((e) => e.loss);

describe('resume is exact', () => {
  it('4 epochs straight == 2 epochs, stop, resume from the checkpoint for 2 more (shuffle, dropout, plateau, early-stopping state)', async () => {
    const { dir, cleanup } = tempDir('resume');
    try {
      const straight = tinyModel();
      const straightEvents = await runAll(epochOptions(straight, {}));

      const first = tinyModel();
      await runAll(epochOptions(first, { epochs: 2, checkpoint: { dir } }));
      const resumed = tinyModel(99); // other initial weights and dropout seed: all must come from the checkpoint
      const resumedEvents = await runAll(epochOptions(resumed, { resumeFrom: dir, checkpoint: { dir } }));

      expect(resumedEvents[0]).toMatchObject({ type: 'resume', epoch: 2, path: expect.stringMatching(/epoch-0002$/) });
      expect(stepLosses(resumedEvents)).toEqual(stepLosses(straightEvents).slice(6)); // 3 batches per epoch
      expect(resumedEvents.filter((e) => e.type === 'epoch')).toEqual(
        straightEvents.filter((e) => e.type === 'epoch').slice(2).map((e) => ({ ...e, ms: expect.any(Number) })),
      );
      expect(weightsOf(resumed)).toEqual(weightsOf(straight));
      expect(resumed.drop.rng.state()).toEqual(straight.drop.rng.state());
      expect(resumedEvents[resumedEvents.length - 1]).toEqual(straightEvents[straightEvents.length - 1]);
    } finally {
      cleanup();
    }
  });

  it('a run stopped mid-epoch after a step checkpoint resumes exactly (carried state, batch position, per-step schedule)', async () => {
    const { dir, cleanup } = tempDir('resume-step');
    try {
      const straight = tinyModel();
      const straightEvents = await runAll(stepOptions(straight, {}));
      expect(stepLosses(straightEvents)).toHaveLength(3 * 3 * 3); // 3 epochs x 3 batches x 3 chunks

      // stop right after the checkpoint at step 12: inside epoch 2, after its first batch
      const first = tinyModel();
      const seen = await lastValueFrom(
        train(stepOptions(first, { checkpoint: { dir, every: 4, keep: 10 } })).pipe(takeWhile((e) => !(e.type === 'checkpoint' && e.step === 12), true), toArray()),
      );
      const stopAt = seen[seen.length - 1] as { path: string };
      expect(stopAt.path).toMatch(/epoch-0002-step-00000012$/);
      expect(listCheckpoints(fs as never, dir).map((c) => c.step)).toEqual([6, 9, 12]); // first batch boundary after every 4 steps

      const resumed = tinyModel(42);
      const resumedEvents = await runAll(stepOptions(resumed, { resumeFrom: stopAt.path }));
      expect(resumedEvents[0]).toMatchObject({ type: 'resume', epoch: 1, step: 12 });
      expect(stepLosses(resumedEvents)).toEqual(stepLosses(straightEvents).slice(12));
      expect(weightsOf(resumed)).toEqual(weightsOf(straight));
      const lastEpoch = (events: TrainEvent[]) => events.filter((e) => e.type === 'epoch').pop();
      expect(lastEpoch(resumedEvents)).toEqual({ ...lastEpoch(straightEvents), ms: expect.any(Number) });
    } finally {
      cleanup();
    }
  });

  it('refuses a checkpoint of a run with another seed, and resumes a finished run to done without training', async () => {
    const { dir, cleanup } = tempDir('resume-seed');
    try {
      await runAll(epochOptions(tinyModel(), { epochs: 1, checkpoint: { dir } }));
      await expect(runAll(epochOptions(tinyModel(), { seed: 4, resumeFrom: dir }))).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH', message: expect.stringContaining('seed: "3"') });
      const events = await runAll(epochOptions(tinyModel(), { epochs: 1, resumeFrom: dir }));
      expect(events.map((e) => e.type)).toEqual(['resume', 'done']);
      await expect(runAll(epochOptions(tinyModel(), { schedule: undefined, resumeFrom: dir }))).rejects.toMatchObject({ code: 'CHECKPOINT_MISMATCH' });
    } finally {
      cleanup();
    }
  });
});
