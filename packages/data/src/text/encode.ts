import { map, OperatorFunction } from 'rxjs';
import type { Vocabulary } from './vocabulary';

/**
 * Maps token sequences to ids (unknown tokens to the unknown id), optionally framed by the
 * begin and end ids.
 *
 * @example
 * of(['a', 'b']).pipe(encode(vocab, { bos: true, eos: true })) // [2, id(a), id(b), 3]
 */
export function encode(vocabulary: Vocabulary, options: { bos?: boolean; eos?: boolean } = {}): OperatorFunction<readonly string[], number[]> {
  return map((tokens) => vocabulary.encode(tokens, options));
}
