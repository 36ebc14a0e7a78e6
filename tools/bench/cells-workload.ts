/**
 * What each implementation of the `cells` bench provides: a workload that does one unit of
 * work per `iterate()` (one training step, or a chunk of streamed steps), and the token data
 * every implementation shares.
 */
import type { CellName, ModelSize } from './cells-config';

/** One prepared case: model built, data in place, nothing timed yet. */
export interface Workload {
  /** One training step (forward, loss, backward, Adam) or `stepsPerIteration` streamed steps. */
  iterate(): void | Promise<void>;
  /** Time steps one `iterate()` covers: T * B for training, the chunk for inference. */
  readonly stepsPerIteration: number;
  /** Which code path runs, e.g. `backend=wasm`; read after the run (a runner may be installed lazily). */
  describe(): string;
  /** The last training loss, if this is a training workload. */
  lastLoss(): number | undefined;
  /** Frees what the implementation does not free by itself (TensorFlow.js tensors). */
  dispose(): void;
}

/** Builds a training workload of `cell` at `size`. */
export type TrainingFactory = (cell: CellName, size: ModelSize, seed: number) => Promise<Workload>;
/** Builds a batch-1 LSTM streaming workload of `chunk` steps per iteration. */
export type InferenceFactory = (size: ModelSize, chunk: number, seed: number) => Promise<Workload>;

/**
 * `count` tokens in `[0, vocab)` from a 32-bit LCG (the same stream for every implementation).
 *
 * @example randomTokens(65 * 32, 64, 1) // a time-major [T+1, B] token grid
 */
export function randomTokens(count: number, vocab: number, seed: number): Int32Array {
  const out = new Int32Array(count);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.floor((s / 4294967296) * vocab);
  }
  return out;
}

/**
 * The training data of a size: time-major tokens `[T+1, B]`; inputs are steps 0..T-1 and
 * targets steps 1..T (next-symbol prediction).
 */
export function trainingTokens(size: ModelSize, seed: number): { inputs: Int32Array; targets: Int32Array } {
  const { steps, batch, vocab } = size;
  const grid = randomTokens((steps + 1) * batch, vocab, seed); // [T+1, B]
  return { inputs: grid.subarray(0, steps * batch), targets: grid.subarray(batch) }; // [T, B] each
}
