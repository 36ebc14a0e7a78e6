import { Observable, OperatorFunction } from 'rxjs';
import type { TokenSample } from './samples';

/**
 * One language-modelling sample per sequence (e.g. a name framed by begin/end ids):
 * `input = ids[0 .. n-1)`, `target = ids[1 .. n)`. Sequences shorter than 2 are skipped.
 *
 * @example
 * of([2, 7, 8, 3]).pipe(nextTokenPairs()) // {input:[2,7,8], target:[7,8,3]}
 */
export function nextTokenPairs(): OperatorFunction<readonly number[], TokenSample> {
  return (source) =>
    new Observable<TokenSample>((subscriber) =>
      source.subscribe({
        next(ids) {
          if (ids.length >= 2) subscriber.next({ kind: 'tokens', input: ids.slice(0, -1), target: ids.slice(1) });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}
