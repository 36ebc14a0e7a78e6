/**
 * Shared pieces of the trainer's specs (not exported by the package): a small LSTM language
 * model with dropout, its data, temporary folders, and a file system that "crashes".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Random, Tensor, mul, oneHot, slice } from '@loopflow/tensor';
import { createDropout, createLinear, dropout, dropoutMask, linear, stateDict } from '@loopflow/layers';
import { createLSTM, runRecurrent } from '@loopflow/cells';
import type { RecurrentState } from '@loopflow/cells';
import { crossEntropy } from '@loopflow/losses';
import { lastValueFrom, toArray } from 'rxjs';
import type { CheckpointFs } from './checkpoint-fs';
import { timeMajorSlicer } from './bptt';
import { train } from './train';
import type { ForwardFn, TrainEvent, TrainOptions } from './types';

/** A fresh temporary folder, removed by `cleanup()`. */
export function tempDir(label: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `loopflow-${label}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a training to the end and returns every event. */
export function runAll<M extends object, B, S>(options: TrainOptions<M, B, S>): Promise<TrainEvent[]> {
  return lastValueFrom(train(options).pipe(toArray()));
}

/** The model of the specs: one-hot -> dropout -> LSTM -> Linear. */
export function tinyModel(seed = 1, vocab = 5, hidden = 6) {
  const rng = new Random(seed);
  return {
    lstm: createLSTM(rng, { inputSize: vocab, hiddenSize: hidden }),
    drop: createDropout(0.25, seed + 100), // a model-held generator
    head: createLinear(rng, hidden, vocab),
  };
}
export type TinyModel = ReturnType<typeof tinyModel>;

/** A time-major batch: one-hot inputs `[T, B, V]` and next-token targets `[T, B]`. */
export interface TokenBatch {
  inputs: Tensor;
  targets: Tensor;
}

/** `count` sequences of `length + 1` tokens over `vocab`, drawn from a fixed seed. */
export function tokenSequences(count: number, length: number, vocab = 5, seed = 9): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: count }, () => Array.from({ length: length + 1 }, () => rng.int(vocab)));
}

/** Batches of `batchSize` sequences in the order given. */
export function toBatches(sequences: number[][], batchSize: number, vocab = 5): TokenBatch[] {
  const out: TokenBatch[] = [];
  for (let i = 0; i < sequences.length; i += batchSize) {
    const group = sequences.slice(i, i + batchSize);
    const T = group[0].length - 1;
    const B = group.length;
    const ids = new Float32Array((T + 1) * B); // [T+1, B]
    group.forEach((seq, b) => seq.forEach((tok, t) => (ids[t * B + b] = tok)));
    const tokens = new Tensor(ids, [T + 1, B]);
    out.push({ inputs: oneHot(slice(tokens, 0, 0, T), vocab), targets: slice(tokens, 0, 1, T + 1) });
  }
  return out;
}

/** The forward of the specs: dropout from the model's generator on the inputs, noise from ctx.rng on the logits. */
export const tinyForward: ForwardFn<TinyModel, TokenBatch, RecurrentState> = (m, b, state, ctx) => {
  const x = dropout(m.drop, b.inputs, ctx.training); // [T, B, V]
  const { output, state: next } = runRecurrent(m.lstm, x, { initialState: state }); // [T, B, H]
  let logits = linear(m.head, output); // [T, B, V]
  if (ctx.training) logits = mul(logits, dropoutMask(ctx.rng, logits.shape.slice(), 0.1)); // draws from ctx.rng
  return { loss: crossEntropy(logits, b.targets), state: next };
};

/** The model's weights as plain arrays by name (for exact comparisons). */
export function weightsOf(model: object): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of Object.entries(stateDict(model))) out[name] = Array.from(t.data);
  return out;
}

/** A `trainBatches` shuffling `sequences` by the epoch's generator. */
export function shuffledBatches(sequences: number[][], batchSize: number) {
  return ({ rng }: { rng: Random }): TokenBatch[] => toBatches(rng.shuffle(sequences.slice()), batchSize);
}

/**
 * Node's fs, except that the `crashAt`-th mutating operation (mkdir, write, fsync, rename,
 * unlink, rm; counted from 1) and every operation after it throw, as if the process died
 * there. `stats.count` tells how many mutating operations were attempted.
 */
export function crashingFs(crashAt: number): { fs: CheckpointFs; stats: { count: number; crashed: boolean } } {
  const real = fs as unknown as CheckpointFs;
  const stats = { count: 0, crashed: false };
  const alive = (): void => {
    if (stats.crashed) throw new Error('simulated crash: the process is dead');
  };
  const mutate = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    alive();
    stats.count += 1;
    if (stats.count === crashAt) {
      stats.crashed = true;
      throw new Error(`simulated crash at file operation ${crashAt}`);
    }
    return fn(...args);
  };
  const read = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    alive();
    return fn(...args);
  };
  const wrapped: CheckpointFs = {
    existsSync: read((p: string) => real.existsSync(p)),
    readdirSync: read((p: string) => real.readdirSync(p)),
    readFileSync: read((p: string) => real.readFileSync(p)),
    openSync: read((p: string, flags: string) => real.openSync(p, flags)),
    closeSync: read((fd: number) => real.closeSync(fd)),
    mkdirSync: mutate((p: string, o: { recursive: true }) => real.mkdirSync(p, o)),
    writeSync: mutate((fd: number, b: Uint8Array, off: number, len: number) => real.writeSync(fd, b, off, len)),
    fsyncSync: mutate((fd: number) => real.fsyncSync(fd)),
    renameSync: mutate((a: string, b: string) => real.renameSync(a, b)),
    unlinkSync: mutate((p: string) => real.unlinkSync(p)),
    rmSync: mutate((p: string, o: { recursive: true; force: true }) => real.rmSync(p, o)),
  };
  return { fs: wrapped, stats };
}
