import type { Observable } from 'rxjs';

/**
 * The values of a synchronous observable (e.g. `from(array).pipe(...)` through operators
 * that do not wait), as an array; its error is thrown.
 */
export function collectSync<T>(source: Observable<T>): T[] {
  const out: T[] = [];
  let failed = false;
  let failure: unknown;
  let done = false;
  source.subscribe({
    next: (v) => out.push(v),
    error: (e) => {
      failed = true;
      failure = e;
    },
    complete: () => (done = true),
  });
  if (failed) throw failure;
  if (!done) throw new Error('collectSync: the observable did not complete synchronously');
  return out;
}
