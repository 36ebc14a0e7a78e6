/**
 * Checkpoints: atomic (a crash at any file operation leaves the previous checkpoint or the
 * new one, never a torn one), verified on resume (a truncated or altered file, a trainer.json
 * of another model or another checkpoint, an incomplete folder are refused with a clear error,
 * before the model is touched), pruned to `keep`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Random, tensor } from '@loopflow/tensor';
import { adam } from '@loopflow/optimizers';
import type { RecurrentState } from '@loopflow/cells';
import { decodeCarried, encodeCarried } from './carried-state';
import { CheckpointFs } from './checkpoint-fs';
import { listCheckpoints, readCheckpoint } from './checkpoint-read';
import { findGenerators, restoreGenerator } from './generators';
import { TinyModel, TokenBatch, crashingFs, runAll, tempDir, tinyForward, tinyModel, toBatches, tokenSequences, weightsOf } from './spec-helpers';
import type { TrainOptions } from './types';

const batches = toBatches(tokenSequences(4, 6), 2);

function options(model: TinyModel, extra: Partial<TrainOptions<TinyModel, TokenBatch, RecurrentState>> = {}): TrainOptions<TinyModel, TokenBatch, RecurrentState> {
  return { model, forward: tinyForward, optimizer: (p) => adam(p, { lr: 0.05 }), trainBatches: () => batches, epochs: 2, seed: 5, ...extra };
}

const realFs = fs as unknown as CheckpointFs;

describe('checkpoints are atomic', () => {
  it('a crash at any file operation of the second checkpoint leaves epoch 1 or epoch 2, whole', async () => {
    // reference weights after epoch 1 and 2, and how many file operations each checkpoint takes
    const reference: Record<number, Record<string, number[]>> = {};
    const counter = crashingFs(Infinity);
    const { dir: refDir, cleanup: refCleanup } = tempDir('atomic-ref');
    let afterFirst = 0;
    const refModel = tinyModel();
    const { train } = await import('./train');
    await new Promise<void>((resolve, reject) =>
      train(options(refModel, { checkpoint: { dir: refDir, fs: counter.fs } })).subscribe({
        next: (e) => {
          if (e.type === 'epoch') reference[e.epoch] = weightsOf(refModel);
          if (e.type === 'checkpoint' && e.epoch === 1) afterFirst = counter.stats.count;
        },
        error: reject,
        complete: resolve,
      }),
    );
    refCleanup();
    const total = counter.stats.count;
    expect(afterFirst).toBeGreaterThan(5);
    expect(total - afterFirst).toBeGreaterThan(10); // writes, fsyncs, renames, pruning of epoch 1

    const outcomes: number[] = [];
    for (let crashAt = afterFirst + 1; crashAt <= total; crashAt++) {
      const { dir, cleanup } = tempDir('atomic');
      try {
        const { fs: dying } = crashingFs(crashAt);
        await expect(runAll(options(tinyModel(), { checkpoint: { dir, fs: dying } }))).rejects.toMatchObject({ code: 'CHECKPOINT_WRITE' });
        const ckpt = readCheckpoint(dir); // the real fs, after the "crash": must verify
        outcomes.push(ckpt.trainer.epoch);
        const model = tinyModel(7);
        const events = await runAll(options(model, { resumeFrom: dir, epochs: ckpt.trainer.epoch }));
        expect(events.map((e) => e.type)).toEqual(['resume', 'done']);
        expect(weightsOf(model)).toEqual(reference[ckpt.trainer.epoch]);
      } finally {
        cleanup();
      }
    }
    expect(outcomes[0]).toBe(1);
    expect(outcomes[outcomes.length - 1]).toBe(2);
    expect(outcomes.every((e, i) => i === 0 || e >= outcomes[i - 1])).toBe(true); // once committed, never back
  });
});

describe('resume refuses a bad checkpoint before touching the model', () => {
  let dir: string;
  let cleanup: () => void;
  let epoch1: string;
  let epoch2: string;
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('refuse'));
    await runAll(options(tinyModel(), { checkpoint: { dir, keep: 5 } }));
    [epoch1, epoch2] = listCheckpoints(realFs, dir).map((c) => c.path);
  });
  afterAll(() => cleanup());

  /** A copy of a checkpoint folder to damage. */
  function copyOf(source: string, name: string): string {
    const target = path.join(dir, '..', `${path.basename(dir)}-${name}`);
    fs.rmSync(target, { recursive: true, force: true });
    fs.cpSync(source, target, { recursive: true });
    return target;
  }

  async function expectRefused(from: string, code: string, message: RegExp, model = tinyModel(3)): Promise<void> {
    const before = weightsOf(model);
    await expect(runAll(options(model, { resumeFrom: from, epochs: 3 }))).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    expect(weightsOf(model)).toEqual(before);
  }

  it('the checkpoints listed oldest first; the folder of checkpoints resolves to the newest', () => {
    expect([epoch1, epoch2].map((p) => path.basename(p))).toEqual(['epoch-0001', 'epoch-0002']);
    expect(readCheckpoint(dir).path).toBe(epoch2);
    expect(Object.keys(readCheckpoint(epoch1).trainer.files).sort()).toEqual(['model.safetensors', 'optimizer.json']);
  });

  it('a truncated model.safetensors', async () => {
    const bad = copyOf(epoch2, 'truncated');
    const file = path.join(bad, 'model.safetensors');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    await expectRefused(bad, 'CHECKPOINT_INVALID', /model\.safetensors has \d+ bytes but trainer\.json recorded \d+; the file is truncated/);
  });

  it('a model.safetensors altered in place (same size)', async () => {
    const bad = copyOf(epoch2, 'altered');
    const file = path.join(bad, 'model.safetensors');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expectRefused(bad, 'CHECKPOINT_INVALID', /model\.safetensors does not match its SHA-256/);
  });

  it('a torn set: the files of one checkpoint with the trainer.json of another', async () => {
    const bad = copyOf(epoch2, 'torn');
    fs.copyFileSync(path.join(epoch1, 'trainer.json'), path.join(bad, 'trainer.json'));
    await expectRefused(bad, 'CHECKPOINT_INVALID', /(model\.safetensors|optimizer\.json) does not match its SHA-256/);
  });

  it('a trainer.json of another model (other sizes)', async () => {
    const other = tinyModel(3, 5, 7); // hidden 7 instead of 6
    await expectRefused(epoch2, 'CHECKPOINT_FOREIGN', /another model: .*'lstm\.weight_hh_l0' is \[24,6\] in the checkpoint but \[28,7\] in the model/, other);
    const renamed = { rnn: other.lstm, drop: other.drop, head: other.head } as unknown as TinyModel;
    await expectRefused(epoch2, 'CHECKPOINT_FOREIGN', /parameters the checkpoint lacks: rnn\.weight_ih_l0/, renamed);
  });

  it('a file that is not a loopflow checkpoint, and an incomplete folder', async () => {
    const foreign = copyOf(epoch2, 'foreign');
    fs.writeFileSync(path.join(foreign, 'trainer.json'), JSON.stringify({ epoch: 2, step: 4 }));
    await expectRefused(foreign, 'CHECKPOINT_INVALID', /format undefined, expected 'loopflow\.checkpoint\/1'; this is not a loopflow training checkpoint/);
    const garbage = copyOf(epoch2, 'garbage');
    fs.writeFileSync(path.join(garbage, 'trainer.json'), '{"format": "loopflow.checkp');
    await expectRefused(garbage, 'CHECKPOINT_INVALID', /trainer\.json is not valid JSON/);
    const incomplete = path.join(dir, 'epoch-0003');
    fs.mkdirSync(incomplete);
    fs.copyFileSync(path.join(epoch2, 'model.safetensors'), path.join(incomplete, 'model.safetensors'));
    await expectRefused(incomplete, 'CHECKPOINT_INVALID', new RegExp(`has no trainer\\.json: it is incomplete.*resume from the previous one, '${epoch2.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    expect(readCheckpoint(dir).path).toBe(epoch2); // the folder of checkpoints still resolves to the newest committed one
    fs.rmSync(incomplete, { recursive: true });
    await expectRefused(path.join(dir, 'nowhere'), 'CHECKPOINT_INVALID', /no such folder/);
  });
});

describe('checkpoint housekeeping and state', () => {
  it('keeps the newest `keep` checkpoints, and best.safetensors when restoring the best weights', async () => {
    const { dir, cleanup } = tempDir('keep');
    try {
      const validBatches = () => batches.slice(0, 1);
      await runAll(options(tinyModel(), { epochs: 4, validBatches, earlyStopping: { patience: 10, restoreBest: true }, checkpoint: { dir, keep: 2 } }));
      expect(fs.readdirSync(dir).sort()).toEqual(['epoch-0003', 'epoch-0004']);
      expect(fs.readdirSync(path.join(dir, 'epoch-0004')).sort()).toEqual(['best.safetensors', 'model.safetensors', 'optimizer.json', 'trainer.json']);
      const ckpt = readCheckpoint(dir);
      expect(ckpt.best).not.toBeNull();
      expect(ckpt.trainer.monitor).toMatchObject({ monitor: 'loss', mode: 'min', wait: expect.any(Number), stopped: false });
    } finally {
      cleanup();
    }
  });

  it('every N steps: at the first batch boundary after each N steps, and once more at the end of the run', async () => {
    const { dir, cleanup } = tempDir('every');
    try {
      const events = await runAll(options(tinyModel(), { checkpoint: { dir, every: 3, keep: 5 } })); // 2 batches x 2 epochs = 4 steps
      const written = events.filter((e) => e.type === 'checkpoint').map((e) => path.basename((e as { path: string }).path));
      expect(written).toEqual(['epoch-0002-step-00000003', 'epoch-0002']);
      expect(listCheckpoints(realFs, dir).map((c) => [c.epoch, c.step])).toEqual([[1, 3], [2, 4]]);
    } finally {
      cleanup();
    }
  });

  it('encodes a carried state exactly (float32 and float64 tensors in plain objects and arrays)', () => {
    const state = { h: tensor([[0.1, -2.5e-8]], undefined, { dtype: 'float64' }), layers: [tensor([1 / 3]), null], step: 3 };
    const decoded = decodeCarried(JSON.parse(JSON.stringify(encodeCarried(state)))) as typeof state;
    expect(Array.from(decoded.h.data)).toEqual([0.1, -2.5e-8]);
    expect(decoded.h.dtype).toBe('float64');
    expect(decoded.layers[0]!.data).toEqual(new Float32Array([1 / 3]));
    expect(decoded.layers[1]).toBeNull();
    expect(decoded.step).toBe(3);
    expect(() => encodeCarried({ when: new Date() })).toThrow(/cannot be saved/);
  });

  it('finds the generators a model holds and restores them in place', () => {
    const model = tinyModel();
    const gens = findGenerators(model);
    expect(gens.map((g) => g.path)).toEqual(['drop.rng']);
    const saved = model.drop.rng.state();
    const expected = [model.drop.rng.next(), model.drop.rng.next()];
    const holder = model.drop.rng;
    restoreGenerator(model.drop.rng, saved, 'test');
    expect(model.drop.rng).toBe(holder);
    expect([model.drop.rng.next(), model.drop.rng.next()]).toEqual(expected);
    expect(findGenerators({ a: new Random(1), b: [new Random(2)] }).map((g) => g.path)).toEqual(['a', 'b.0']);
  });
});
