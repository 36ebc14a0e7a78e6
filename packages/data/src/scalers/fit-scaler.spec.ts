import { fitScaler } from './fit-scaler';
import { Scaler } from './scaler';
import { errorCode, marbles } from '../testing/marbles';

describe('fitScaler', () => {
  it('emits one scaler at completion, equal to fitting the same rows in memory', () => {
    marbles().run(({ cold, expectObservable }) => {
      const rows = { a: [1, 5], b: [3, 7], c: [2, 0] };
      expectObservable(cold('abc|', rows).pipe(fitScaler('minmax'))).toBe('---(s|)', { s: Scaler.fit('minmax', [rows.a, rows.b, rows.c]) });
    });
  });

  it('errors on a non-finite value, on an empty stream, and passes source errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [1], b: [NaN] }).pipe(fitScaler('standard'), errorCode())).toBe('-#', undefined, 'DATA_BAD_VALUE');
      expectObservable(cold<number[]>('|').pipe(fitScaler('standard'), errorCode())).toBe('#', undefined, 'DATA_INVALID_ARGUMENT');
      expectObservable(cold('a#', { a: [1] }, 'io').pipe(fitScaler('standard'))).toBe('-#', undefined, 'io');
    });
  });
});
