import { nextTokenPairs } from './next-token-pairs';
import { marbles } from '../testing/marbles';

describe('nextTokenPairs', () => {
  it('shifts each sequence by one and skips sequences shorter than 2', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: [2, 7, 8, 3], b: [5], c: [2, 3] });
      expectObservable(src.pipe(nextTokenPairs())).toBe('a-c|', {
        a: { kind: 'tokens', input: [2, 7, 8], target: [7, 8, 3] },
        c: { kind: 'tokens', input: [2], target: [3] },
      });
    });
  });

  it('passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold<number[]>('-#', {}, 'e').pipe(nextTokenPairs())).toBe('-#', undefined, 'e');
    });
  });
});
