import { Observable, OperatorFunction } from 'rxjs';
import { Random } from '@loopflow/tensor';
import { requireInteger } from '../errors';

/** Options of {@link shuffle}. */
export interface ShuffleOptions {
  /** The run's seed. */
  readonly seed: number | string;
  /** The epoch (default 0): each epoch gets its own order, reproducible from (seed, epoch). */
  readonly epoch?: number;
  /**
   * Items held at once (default: all). With a bound, each arriving item swaps out a random
   * held one (a shuffle buffer, as in tf.data): memory stays bounded, the order is only
   * locally random.
   */
  readonly bufferSize?: number;
}

/**
 * Seeded shuffling per epoch. Without `bufferSize`, holds the whole (finite) stream and emits
 * a uniformly random permutation at completion; with it, a bounded shuffle buffer.
 *
 * @example
 * for (let epoch = 0; epoch < 10; epoch++) train$.pipe(shuffle({ seed: 42, epoch }), batch({ batchSize: 32 }))
 */
export function shuffle<T>(options: ShuffleOptions): OperatorFunction<T, T> {
  const epoch = options.epoch ?? 0;
  requireInteger('shuffle', 'epoch', epoch, 0);
  const bufferSize = options.bufferSize ?? Infinity;
  if (bufferSize !== Infinity) requireInteger('shuffle', 'bufferSize', bufferSize, 1);
  return (source) =>
    new Observable<T>((subscriber) => {
      const rng = new Random(`${options.seed}/shuffle/epoch-${epoch}`);
      const held: T[] = [];
      return source.subscribe({
        next(item) {
          if (held.length < bufferSize) {
            held.push(item);
            return;
          }
          const j = rng.int(bufferSize);
          const out = held[j];
          held[j] = item;
          subscriber.next(out);
        },
        error: (err) => subscriber.error(err),
        complete() {
          rng.shuffle(held);
          for (const item of held) subscriber.next(item);
          held.length = 0;
          subscriber.complete();
        },
      });
    });
}
