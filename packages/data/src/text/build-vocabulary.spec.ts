import { buildVocabulary } from './build-vocabulary';
import { Vocabulary } from './vocabulary';
import { errorCode, marbles } from '../testing/marbles';

describe('buildVocabulary', () => {
  it('emits one vocabulary at completion, built from every sequence', () => {
    marbles().run(({ cold, expectObservable }) => {
      const out = cold('a-b|', { a: ['x', 'y'], b: ['y'] }).pipe(buildVocabulary());
      expectObservable(out).toBe('---(v|)', { v: Vocabulary.build([['y', 'y', 'x']]) });
    });
  });

  it('errors on bad options at completion and passes source errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: ['x'] }).pipe(buildVocabulary({ maxSize: 2 }), errorCode())).toBe('-#', undefined, 'DATA_INVALID_ARGUMENT');
      expectObservable(cold('a#', { a: ['x'] }, 'io').pipe(buildVocabulary())).toBe('-#', undefined, 'io');
    });
  });
});
