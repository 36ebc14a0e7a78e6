import { Observable, OperatorFunction } from 'rxjs';
import { Vocabulary, VocabularyOptions } from './vocabulary';

/**
 * Counts the tokens of a stream of token sequences and emits one {@link Vocabulary} when the
 * stream completes. Memory is the table of distinct tokens, not the stream. Fit it on the
 * training split only.
 *
 * @example
 * from(trainTexts).pipe(tokenize(wordTokenizer()), buildVocabulary({ minFrequency: 2 }))
 */
export function buildVocabulary(options: VocabularyOptions = {}): OperatorFunction<readonly string[], Vocabulary> {
  return (source) =>
    new Observable<Vocabulary>((subscriber) => {
      const counts = new Map<string, number>();
      return source.subscribe({
        next(tokens) {
          for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
        },
        error: (err) => subscriber.error(err),
        complete() {
          let vocabulary: Vocabulary;
          try {
            vocabulary = Vocabulary.fromCounts(counts, options);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(vocabulary);
          subscriber.complete();
        },
      });
    });
}
