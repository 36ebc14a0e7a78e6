import { Observable } from 'rxjs';
import type { Readable } from 'stream';
import { fileError } from '../errors';

/**
 * A cold Observable over a Node `Readable`, read by async iteration: the next chunk is pulled
 * only after the previous one has been handed to the subscriber, so a synchronous pipeline
 * (split, parse, window, batch) runs at the pace of the consumer and memory stays bounded.
 * Each subscription calls `open()` afresh; unsubscribing destroys the stream. Stream errors
 * reach `subscriber.error` (an `ENOENT` becomes a `DataError` with code `DATA_FILE`).
 *
 * (An asynchronous consumer, e.g. `concatMap` to a training step returning a Promise, buffers
 * inside RxJS; keep per-item work synchronous or batch before going asynchronous.)
 *
 * @example
 * fromReadable<string>(() => fs.createReadStream('corpus.txt', { encoding: 'utf8' }))
 *   .subscribe((chunk) => console.log(chunk.length));
 */
export function fromReadable<T>(open: () => Readable, file?: string): Observable<T> {
  return new Observable<T>((subscriber) => {
    let stream: Readable;
    try {
      stream = open();
    } catch (err) {
      subscriber.error(fileError(err, file));
      return;
    }
    (async () => {
      try {
        for await (const chunk of stream) {
          if (subscriber.closed) break;
          subscriber.next(chunk as T);
        }
        subscriber.complete();
      } catch (err) {
        subscriber.error(fileError(err, file));
      }
    })();
    return () => {
      if (!stream.destroyed) stream.destroy();
    };
  });
}
