import { isObservable, Observable } from 'rxjs';
import { TrainError } from './errors';
import type { BatchSource } from './types';

/**
 * Pulls the elements of an Observable one at a time. An Observable has no back-pressure, so
 * what it emits before being pulled waits in a queue (a synchronous source is read whole).
 * Unsubscribes when the loop ends early.
 */
async function* fromObservable<B>(source: Observable<B>): AsyncGenerator<B> {
  const queue: B[] = [];
  let head = 0;
  let done = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    if (w) w();
  };
  const subscription = source.subscribe({
    next: (value) => {
      queue.push(value);
      notify();
    },
    error: (error: unknown) => {
      failure = { error };
      notify();
    },
    complete: () => {
      done = true;
      notify();
    },
  });
  try {
    for (;;) {
      if (head < queue.length) {
        const value = queue[head];
        queue[head++] = undefined as B; // let it be collected
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        yield value;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * Iterates the batches of an epoch, whatever their source: an array or other iterable, an
 * async iterable, or an Observable.
 */
export function iterateBatches<B>(source: BatchSource<B>, what: string): AsyncIterable<B> | Iterable<B> {
  if (isObservable(source)) return fromObservable(source as Observable<B>);
  if (source && typeof (source as AsyncIterable<B>)[Symbol.asyncIterator] === 'function') return source as AsyncIterable<B>;
  if (source && typeof (source as Iterable<B>)[Symbol.iterator] === 'function') return source as Iterable<B>;
  throw new TrainError('INVALID_ARGUMENT', `train: ${what} returned ${source === null ? 'null' : typeof source}; expected an array, an iterable, an async iterable or an Observable of batches`);
}
