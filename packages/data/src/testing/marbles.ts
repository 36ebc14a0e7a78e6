/** Test helpers (not part of the public API). */
import { catchError, MonoTypeOperatorFunction, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';

/** A TestScheduler whose frames are compared with jest's deep equality. */
export function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Replaces an error by its `code`, so marbles can assert `'#'` with the code as the error value. */
export function errorCode<T>(): MonoTypeOperatorFunction<T> {
  return catchError((err: { code?: string }) => throwError(() => err.code ?? err));
}
