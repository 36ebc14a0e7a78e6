import { tokenize } from './tokenize';
import { charTokenizer } from './tokenizer';
import { marbles } from '../testing/marbles';

describe('tokenize', () => {
  it('maps each text to its tokens and completes with the source', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b|', { a: 'hi', b: '' }).pipe(tokenize(charTokenizer()))).toBe('a-b|', { a: ['h', 'i'], b: [] });
    });
  });

  it('passes an error through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: 'x' }, 'bad').pipe(tokenize(charTokenizer()))).toBe('a#', { a: ['x'] }, 'bad');
    });
  });
});
