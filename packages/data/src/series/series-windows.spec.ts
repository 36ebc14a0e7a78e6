import { from, lastValueFrom, toArray } from 'rxjs';
import { seriesWindows } from './series-windows';
import { errorCode, marbles } from '../testing/marbles';

describe('seriesWindows', () => {
  it('emits a window once lookBack + horizon rows have arrived', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcd|', { a: [1], b: [2], c: [3], d: [4] });
      expectObservable(src.pipe(seriesWindows({ lookBack: 2 }))).toBe('--xy|', {
        x: { kind: 'series', input: [[1], [2]], target: [[3]], index: 0 },
        y: { kind: 'series', input: [[2], [3]], target: [[4]], index: 1 },
      });
    });
  });

  it('selects input and target columns of multivariate rows, with horizon and stride', async () => {
    const rows = Array.from({ length: 10 }, (_, t) => [t, 10 * t, 100 * t]);
    const out = await lastValueFrom(from(rows).pipe(seriesWindows({ lookBack: 3, horizon: 2, stride: 2, inputColumns: [0, 2], targetColumns: [1] }), toArray()));
    // starts 0, 2, 4 (start 6 would need rows 6..10)
    expect(out.map((s) => s.index)).toEqual([0, 2, 4]);
    expect(out[1]).toEqual({ kind: 'series', input: [[2, 200], [3, 300], [4, 400]], target: [[50], [60]], index: 2 });
    // reference: direct slicing of the whole array
    for (const s of out) {
      expect(s.input).toEqual(rows.slice(s.index, s.index + 3).map((r) => [r[0], r[2]]));
      expect(s.target).toEqual(rows.slice(s.index + 3, s.index + 5).map((r) => [r[1]]));
    }
  });

  it('errors with DATA_SHAPE on a row of another width, DATA_INVALID_ARGUMENT on a bad column', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: [1, 2], b: [3] }).pipe(seriesWindows({ lookBack: 1 }), errorCode())).toBe('-#', undefined, 'DATA_SHAPE');
      expectObservable(cold('a|', { a: [1, 2] }).pipe(seriesWindows({ lookBack: 1, targetColumns: [2] }), errorCode())).toBe('#', undefined, 'DATA_INVALID_ARGUMENT');
      expectObservable(cold('a#', { a: [1] }, 'up').pipe(seriesWindows({ lookBack: 3 }))).toBe('-#', undefined, 'up');
    });
    expect(() => seriesWindows({ lookBack: 0 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
  });
});
