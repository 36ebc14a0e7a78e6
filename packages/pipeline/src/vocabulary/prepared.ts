import { from, Observable } from 'rxjs';
import { Batch, batch, bucketByLength, Sample, shuffle } from '@loopflow/data';
import type { Artifacts } from './artifacts';
import type { SplitName } from './items';

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
  readonly samples: Readonly<Record<SplitName, readonly Sample[]>>;
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
  /** How many batches `batches(split)` gives. */
  batchCount(split: SplitName): number;
}

/** The task a sample kind belongs to. */
export function taskOf(kind: Sample['kind']): Task {
  return kind === 'tokens' ? 'language-model' : kind === 'labelled' ? 'classification' : 'forecast';
}

/** Builds the batches of a split (see {@link PreparedData.batches}). */
export function makeBatches(samples: readonly Sample[], options: BatchingOptions, seed: number, split: SplitName, epoch = 0): Observable<Batch> {
  const training = split === 'train';
  const dropRemainder = training && options.dropRemainder;
  let source = from(samples);
  if (training && options.shuffle) source = source.pipe(shuffle({ seed: `${seed}/batches`, epoch }));
  return options.bucketBoundaries && options.bucketBoundaries.length > 0
    ? source.pipe(bucketByLength({ batchSize: options.batchSize, boundaries: options.bucketBoundaries, dropRemainder }))
    : source.pipe(batch({ batchSize: options.batchSize, dropRemainder }));
}

/**
 * Counts the batches `makeBatches` gives, without making them (making every batch of a split
 * at once held them all in memory): per bucket of lengths when bucketing, whole batches only
 * when the training split drops its remainder. Shuffling changes the order, not the counts.
 */
export function countBatches(samples: readonly Sample[], options: BatchingOptions, _seed: number, split: SplitName): number {
  const dropRemainder = split === 'train' && options.dropRemainder;
  const batches = (n: number): number => (dropRemainder ? Math.floor(n / options.batchSize) : Math.ceil(n / options.batchSize));
  const bounds = options.bucketBoundaries ?? [];
  if (bounds.length === 0) return batches(samples.length);
  const sizes = new Array<number>(bounds.length + 1).fill(0);
  for (const sample of samples) {
    let i = 0;
    while (i < bounds.length && sample.input.length > bounds[i]) i++;
    sizes[i] += 1;
  }
  return sizes.reduce((n, size) => n + batches(size), 0);
}
