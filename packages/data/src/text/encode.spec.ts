import { encode } from './encode';
import { Vocabulary } from './vocabulary';
import { marbles } from '../testing/marbles';

describe('encode', () => {
  const vocab = Vocabulary.build([['a', 'b']]);

  it('maps tokens to ids with begin/end framing', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|', { a: ['a', 'b'], b: ['q'] }).pipe(encode(vocab, { bos: true, eos: true }))).toBe('a-b|', { a: [2, 4, 5, 3], b: [2, 1, 3] });
    });
  });

  it('passes an error through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold<string[]>('#', {}, 'x').pipe(encode(vocab))).toBe('#', undefined, 'x');
    });
  });
});
