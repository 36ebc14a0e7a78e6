import { Observable, OperatorFunction } from 'rxjs';
import { DataError, requireInteger } from '../errors';
import type { Sample } from '../sequences/samples';
import { Batch, collate, CollateOptions } from './collate';

/** Options of {@link bucketByLength}. */
export interface BucketByLengthOptions extends CollateOptions {
  /** Samples per batch. */
  readonly batchSize: number;
  /**
   * Increasing upper bounds of input length: bucket `i` takes lengths `<= boundaries[i]`
   * (and above the previous bound); one more bucket takes the longer ones.
   */
  readonly boundaries: readonly number[];
  /** Drop the partly filled buckets at completion (default false: emit them, shortest first). */
  readonly dropRemainder?: boolean;
}

/**
 * Batches samples of similar length together, so little of each batch is padding: each
 * sample goes to its length bucket, and a bucket is emitted as a batch when it holds
 * `batchSize` samples. Holds at most `buckets x batchSize` samples.
 *
 * @example
 * names$.pipe(bucketByLength({ batchSize: 64, boundaries: [4, 6, 8, 12] }))
 */
export function bucketByLength(options: BucketByLengthOptions): OperatorFunction<Sample, Batch> {
  requireInteger('bucketByLength', 'batchSize', options.batchSize, 1);
  const bounds = options.boundaries;
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isInteger(bounds[i]) || bounds[i] < 1 || (i > 0 && bounds[i] <= bounds[i - 1])) {
      throw new DataError('DATA_INVALID_ARGUMENT', `bucketByLength: boundaries [${bounds.join(', ')}]; expected increasing positive integers`, {
        expected: 'increasing positive integers',
        received: `[${bounds.join(', ')}]`,
      });
    }
  }
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const buckets: Sample[][] = Array.from({ length: bounds.length + 1 }, () => []);
      const emit = (samples: Sample[]): boolean => {
        let out: Batch;
        try {
          out = collate(samples, options);
        } catch (err) {
          subscriber.error(err);
          return false;
        }
        subscriber.next(out);
        return true;
      };
      return source.subscribe({
        next(sample) {
          const n = sample.input.length;
          let i = 0;
          while (i < bounds.length && n > bounds[i]) i++;
          buckets[i].push(sample);
          if (buckets[i].length === options.batchSize) {
            const full = buckets[i];
            buckets[i] = [];
            emit(full);
          }
        },
        error: (err) => subscriber.error(err),
        complete() {
          if (!options.dropRemainder) {
            for (const bucket of buckets) if (bucket.length > 0 && !emit(bucket)) return;
          }
          subscriber.complete();
        },
      });
    });
}
