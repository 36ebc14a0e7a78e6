import { sequenceToLabel } from './sequence-to-label';
import { errorCode, marbles } from '../testing/marbles';

interface Item {
  ids: number[];
  spam: boolean;
}

describe('sequenceToLabel', () => {
  const opts = { sequence: (m: Item) => m.ids, label: (m: Item) => (m.spam ? 1 : 0), maxLength: 3 };

  it('makes labelled samples, truncating to maxLength and skipping empty sequences', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abc|', { a: { ids: [4, 5, 6, 7, 8], spam: true }, b: { ids: [], spam: false }, c: { ids: [9], spam: false } });
      expectObservable(src.pipe(sequenceToLabel(opts))).toBe('a-c|', {
        a: { kind: 'labelled', input: [4, 5, 6], label: 1 },
        c: { kind: 'labelled', input: [9], label: 0 },
      });
      expectObservable(src.pipe(sequenceToLabel({ ...opts, keep: 'end' }))).toBe('a-c|', {
        a: { kind: 'labelled', input: [6, 7, 8], label: 1 },
        c: { kind: 'labelled', input: [9], label: 0 },
      });
    });
  });

  it('errors on a bad label, and on an error thrown by the sequence function', () => {
    marbles().run(({ cold, expectObservable }) => {
      const bad = sequenceToLabel<Item>({ sequence: (m) => m.ids, label: () => 0.5 });
      expectObservable(cold('a|', { a: { ids: [1], spam: false } }).pipe(bad, errorCode())).toBe('#', undefined, 'DATA_BAD_VALUE');
      const throwing = sequenceToLabel<Item>({ sequence: () => { throw new Error('tokenizer broke'); }, label: () => 0 });
      expectObservable(cold('a|', { a: { ids: [1], spam: false } }).pipe(throwing)).toBe('#', undefined, new Error('tokenizer broke'));
    });
  });
});
