import { map, OperatorFunction } from 'rxjs';
import type { Tokenizer } from './tokenizer';

/**
 * Splits each text into tokens with `tokenizer`.
 *
 * @example
 * of('Hello world').pipe(tokenize(wordTokenizer())) // ['hello', 'world']
 */
export function tokenize(tokenizer: Tokenizer): OperatorFunction<string, string[]> {
  return map((text) => tokenizer.tokenize(text));
}
