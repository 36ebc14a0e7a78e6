import { from, lastValueFrom, toArray } from 'rxjs';
import { differences } from './difference';
import { invertDifferences, undifference } from './undifference';
import { errorCode, marbles } from '../testing/marbles';
import { Random } from '@loopflow/tensor';

describe('undifference', () => {
  it('adds each difference to the row lag steps back (hand-worked)', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [3], b: [5] }).pipe(undifference({ initial: [[1]] }))).toBe('xy|', { x: [4], y: [9] });
    });
  });

  it('inverts difference exactly, for lag 1 and a seasonal lag', async () => {
    const rng = new Random(3);
    const rows = Array.from({ length: 40 }, () => [rng.int(100), rng.int(100)]);
    for (const lag of [1, 12]) {
      const d = differences(rows, lag);
      const back = await lastValueFrom(from(d).pipe(undifference({ initial: rows.slice(0, lag), lag }), toArray()));
      expect(back).toEqual(rows.slice(lag));
      expect(invertDifferences(d, rows.slice(0, lag), lag)).toEqual(rows.slice(lag));
    }
  });

  it('rejects an initial block of the wrong size; errors with DATA_SHAPE on a wrong width', () => {
    expect(() => undifference({ initial: [[1]], lag: 2 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: [1, 2] }).pipe(undifference({ initial: [[0]] }), errorCode())).toBe('#', undefined, 'DATA_SHAPE');
    });
  });
});
