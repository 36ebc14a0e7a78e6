import { from, lastValueFrom, toArray } from 'rxjs';
import { nextTokenWindows } from './next-token-windows';
import { errorCode, marbles } from '../testing/marbles';

const w = (input: number[], target: number[]) => ({ kind: 'tokens' as const, input, target });

describe('nextTokenWindows', () => {
  it('cuts windows across chunk boundaries, target shifted by one', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('a-b-c|', { a: [1, 2], b: [3, 4, 5], c: [6, 7, 8] });
      expectObservable(src.pipe(nextTokenWindows({ length: 3 }))).toBe('--a-b|', { a: w([1, 2, 3], [2, 3, 4]), b: w([4, 5, 6], [5, 6, 7]) });
    });
  });

  it('overlaps windows with a stride below the length, and keeps a remainder on request', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('(a|)', { a: [1, 2, 3, 4, 5] });
      expectObservable(src.pipe(nextTokenWindows({ length: 2, stride: 1 }))).toBe('(abc|)', { a: w([1, 2], [2, 3]), b: w([2, 3], [3, 4]), c: w([3, 4], [4, 5]) });
      expectObservable(src.pipe(nextTokenWindows({ length: 3, remainder: 'keep' }))).toBe('(ab|)', { a: w([1, 2, 3], [2, 3, 4]), b: w([4], [5]) });
    });
  });

  it('skips tokens with a stride beyond the window, also across chunks', async () => {
    const out = await lastValueFrom(from([[0, 1], [2, 3, 4], [5], [6, 7, 8, 9, 10, 11]]).pipe(nextTokenWindows({ length: 2, stride: 5 }), toArray()));
    expect(out).toEqual([w([0, 1], [1, 2]), w([5, 6], [6, 7])]);
    // a reference computed directly on the whole array
    const ids = Array.from({ length: 12 }, (_, i) => i);
    const ref = [];
    for (let s = 0; s + 3 <= ids.length; s += 5) ref.push(w(ids.slice(s, s + 2), ids.slice(s + 1, s + 3)));
    expect(out).toEqual(ref);
  });

  it('matches a direct computation on a long stream split into random chunks', async () => {
    const ids = Array.from({ length: 10000 }, (_, i) => (i * 7919) % 101);
    const chunks: number[][] = [];
    for (let i = 0; i < ids.length; ) {
      const n = 1 + ((i * 31) % 97);
      chunks.push(ids.slice(i, i + n));
      i += n;
    }
    const out = await lastValueFrom(from(chunks).pipe(nextTokenWindows({ length: 50, stride: 7 }), toArray()));
    const ref = [];
    for (let s = 0; s + 51 <= ids.length; s += 7) ref.push(w(ids.slice(s, s + 50), ids.slice(s + 1, s + 51)));
    expect(out).toEqual(ref);
  });

  it('rejects a bad length and passes errors through', () => {
    expect(() => nextTokenWindows({ length: 0 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: [1, 2] }, 'e').pipe(nextTokenWindows({ length: 1 }), errorCode())).toBe('a#', { a: w([1], [2]) }, 'e');
    });
  });
});
