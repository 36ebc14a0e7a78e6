import { from, lastValueFrom, toArray } from 'rxjs';
import { difference, differences } from './difference';
import { errorCode, marbles } from '../testing/marbles';

describe('difference', () => {
  it('emits row[t] - row[t-1] from the second row on', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: [1, 10], b: [4, 8], c: [9, 9] });
      expectObservable(src.pipe(difference())).toBe('-xy|', { x: [3, -2], y: [5, 1] });
    });
  });

  it('supports a seasonal lag and matches the array version', async () => {
    const rows = [[1], [2], [3], [5], [8], [13], [21]];
    const out = await lastValueFrom(from(rows).pipe(difference({ lag: 3 }), toArray()));
    expect(out).toEqual([[4], [6], [10], [16]]);
    expect(differences(rows, 3)).toEqual(out);
  });

  it('errors with DATA_SHAPE on rows of different width and passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [1], b: [1, 2] }).pipe(difference(), errorCode())).toBe('-#', undefined, 'DATA_SHAPE');
      expectObservable(cold('a#', { a: [1] }, 'x').pipe(difference())).toBe('-#', undefined, 'x');
    });
  });
});
