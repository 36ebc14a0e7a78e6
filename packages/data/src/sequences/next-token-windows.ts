import { Observable, OperatorFunction } from 'rxjs';
import { requireInteger } from '../errors';
import type { TokenSample } from './samples';

/** Options of {@link nextTokenWindows}. */
export interface NextTokenWindowsOptions {
  /** Time steps per window. */
  readonly length: number;
  /** Tokens between the starts of consecutive windows (default `length`: no overlap of inputs). */
  readonly stride?: number;
  /** At completion, 'drop' (default) a last window shorter than `length`, or 'keep' it (at least 1 step). */
  readonly remainder?: 'drop' | 'keep';
}

/**
 * Cuts one continuous stream of token ids, arriving in chunks of any size, into language-
 * modelling windows: `input = ids[s .. s+length)`, `target = ids[s+1 .. s+length+1)` for
 * `s = 0, stride, 2*stride, ...`. Only the tokens of the window in progress are held.
 *
 * @example
 * of([1, 2, 3], [4, 5, 6, 7]).pipe(nextTokenWindows({ length: 3 }))
 * // {input:[1,2,3], target:[2,3,4]}, {input:[4,5,6], target:[5,6,7]}
 */
export function nextTokenWindows(options: NextTokenWindowsOptions): OperatorFunction<readonly number[], TokenSample> {
  const length = options.length;
  const stride = options.stride ?? length;
  requireInteger('nextTokenWindows', 'length', length, 1);
  requireInteger('nextTokenWindows', 'stride', stride, 1);
  return (source) =>
    new Observable<TokenSample>((subscriber) => {
      let buffer: number[] = [];
      let start = 0;
      let toDrop = 0;
      return source.subscribe({
        next(chunk) {
          let from = 0;
          if (toDrop > 0) {
            from = Math.min(toDrop, chunk.length);
            toDrop -= from;
          }
          for (let i = from; i < chunk.length; i++) buffer.push(chunk[i]);
          while (buffer.length - start >= length + 1) {
            subscriber.next({ kind: 'tokens', input: buffer.slice(start, start + length), target: buffer.slice(start + 1, start + length + 1) });
            start += stride;
          }
          if (start >= buffer.length) {
            toDrop = start - buffer.length;
            buffer = [];
            start = 0;
          } else if (start > 4096) {
            buffer = buffer.slice(start);
            start = 0;
          }
        },
        error: (err) => subscriber.error(err),
        complete() {
          const left = buffer.length - start;
          if (options.remainder === 'keep' && left >= 2) {
            subscriber.next({ kind: 'tokens', input: buffer.slice(start, buffer.length - 1), target: buffer.slice(start + 1) });
          }
          subscriber.complete();
        },
      });
    });
}
