import { from, Observable } from 'rxjs';
import { Batch, collate, Sample } from '@loopflow/data';
import { Random } from '@loopflow/tensor';
import type { Artifacts } from './artifacts';
import type { SplitName } from './items';
import { inputLengthAt, SampleList } from './sample-list';

/** What the model learns: next tokens, a class per sequence, or future values of a series. */
export type Task = 'language-model' | 'classification' | 'forecast';

/** What a model reads: token ids of a vocabulary, or real-valued features. */
export type ModelInputSpec = { kind: 'tokens'; vocabSize: number } | { kind: 'features'; size: number };

/** How a prepared dataset is cut into batches. */
export interface BatchingOptions {
  batchSize: number;
  shuffle: boolean;
  bucketBoundaries?: number[];
  dropRemainder: boolean;
}

/**
 * The element of kind 'batches': every split's samples, how to batch them, and the sizes a
 * model needs. Training batches are reshuffled each epoch from (seed, epoch) alone, so a
 * resumed run sees the same order.
 */
export interface PreparedData {
  readonly task: Task;
  /** Each split's samples (the `batch` stage holds them compactly: {@link CompactSamples}, read with `at(i)`). */
  readonly samples: Readonly<Record<SplitName, SampleList>>;
  readonly batching: BatchingOptions;
  readonly seed: number;
  readonly input: ModelInputSpec;
  /** Width of the model's output: the vocabulary (language model), the classes, or horizon x target columns. */
  readonly outputSize: number;
  /** Classification: the number of classes. */
  readonly classes?: number;
  /** Forecasting: rows predicted and columns per row. */
  readonly horizon?: number;
  readonly targetFeatures?: number;
  readonly artifacts: Artifacts;
  /** The batches of a split (time-major, padded and masked); training batches shuffled for `epoch`. */
  batches(split: SplitName, epoch?: number): Observable<Batch>;
  /** The same batches, made one at a time as they are pulled (a synchronous Observable is read whole by a consumer that awaits). */
  batchIterable(split: SplitName, epoch?: number): Iterable<Batch>;
  /** How many batches `batches(split)` gives. */
  batchCount(split: SplitName): number;
}

/** The task a sample kind belongs to. */
export function taskOf(kind: Sample['kind']): Task {
  return kind === 'tokens' ? 'language-model' : kind === 'labelled' ? 'classification' : 'forecast';
}

/** Builds the batches of a split (see {@link PreparedData.batches}): {@link batchesOf} as an Observable. */
export function makeBatches(samples: SampleList, options: BatchingOptions, seed: number, split: SplitName, epoch = 0): Observable<Batch> {
  return from(batchesOf(samples, options, seed, split, epoch));
}

/**
 * The batches of a split, made one at a time as they are pulled (a training epoch holds one
 * batch, not all of them): the samples in order, or for training in the epoch's shuffled order
 * (as `shuffle({ seed: '<seed>/batches', epoch })` of @loopflow/data gives it), cut as the
 * `batch` operator cuts them (every `batchSize` samples; a smaller last batch unless the
 * training split drops it) or, with bucket boundaries, as `bucketByLength` does (a bucket is a
 * batch when it holds `batchSize` samples; the partly filled ones at the end, shortest first).
 */
export function* batchesOf(samples: SampleList, options: BatchingOptions, seed: number, split: SplitName, epoch = 0): Generator<Batch> {
  const training = split === 'train';
  const dropRemainder = training && options.dropRemainder;
  const size = options.batchSize;
  const order = training && options.shuffle ? shuffledOrder(samples.length, `${seed}/batches`, epoch) : undefined;
  const bounds = options.bucketBoundaries ?? [];
  const buckets: Sample[][] = Array.from({ length: bounds.length + 1 }, () => []);
  for (let k = 0; k < samples.length; k++) {
    const sample = samples.at(order ? order[k] : k) as Sample;
    let i = 0;
    while (i < bounds.length && sample.input.length > bounds[i]) i++;
    buckets[i].push(sample);
    if (buckets[i].length === size) {
      const full = buckets[i];
      buckets[i] = [];
      yield collate(full);
    }
  }
  if (dropRemainder) return;
  for (const bucket of buckets) if (bucket.length > 0) yield collate(bucket);
}

/**
 * The order in which `shuffle({ seed, epoch })` of @loopflow/data would emit `n` items (the
 * same generator and Fisher-Yates swaps), as indices: the samples are shuffled by index, so
 * an epoch holds `n` int32 numbers, not every sample made at once.
 */
export function shuffledOrder(n: number, seed: number | string, epoch: number): Int32Array {
  const rng = new Random(`${seed}/shuffle/epoch-${epoch}`);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const held = order[i];
    order[i] = order[j];
    order[j] = held;
  }
  return order;
}

/**
 * Counts the batches `makeBatches` gives, without making them (making every batch of a split
 * at once held them all in memory): per bucket of lengths when bucketing, whole batches only
 * when the training split drops its remainder. Shuffling changes the order, not the counts.
 */
export function countBatches(samples: SampleList, options: BatchingOptions, _seed: number, split: SplitName): number {
  const dropRemainder = split === 'train' && options.dropRemainder;
  const batches = (n: number): number => (dropRemainder ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize));
  const bounds = options.bucketBoundaries ?? [];
  if (bounds.length === 0) return batches(samples.length);
  const sizes = new Array<number>(bounds.length + 1).fill(0);
  for (let k = 0; k < samples.length; k++) {
    const length = inputLengthAt(samples, k);
    let i = 0;
    while (i < bounds.length && length > bounds[i]) i++;
    sizes[i] += 1;
  }
  return sizes.reduce((n, size) => n + batches(size), 0);
}
