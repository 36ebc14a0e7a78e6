import { bufferCount, filter, map, OperatorFunction, pipe } from 'rxjs';
import { requireInteger } from '../errors';
import type { Sample } from '../sequences/samples';
import { Batch, collate, CollateOptions } from './collate';

/** Options of {@link batch}. */
export interface BatchOptions extends CollateOptions {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  readonly dropRemainder?: boolean;
}

/**
 * Groups samples, in arrival order, into padded and masked time-major batches (see
 * {@link Batch} for the shapes). Holds at most `batchSize` samples.
 *
 * @example
 * windows$.pipe(batch({ batchSize: 32 })) // Batch { inputs: [T, 32], targets: [T, 32], mask: [T, 32] }
 */
export function batch(options: BatchOptions): OperatorFunction<Sample, Batch> {
  requireInteger('batch', 'batchSize', options.batchSize, 1);
  return pipe(
    bufferCount<Sample>(options.batchSize),
    filter((samples) => samples.length > 0 && (!options.dropRemainder || samples.length === options.batchSize)),
    map((samples) => collate(samples, options)),
  );
}
