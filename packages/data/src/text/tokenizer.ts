import { DataError } from '../errors';

/** A tokenizer's settings as JSON (saved with the vocabulary, so a model reloads its text pipeline). */
export type TokenizerConfig = { readonly kind: 'char'; readonly lowerCase: boolean } | { readonly kind: 'word'; readonly lowerCase: boolean };

/** Splits text into tokens and joins tokens back into text. */
export interface Tokenizer {
  readonly config: TokenizerConfig;
  tokenize(text: string): string[];
  detokenize(tokens: readonly string[]): string;
}

/**
 * Characters (Unicode code points, so an emoji or `é` written as one code point is one token).
 *
 * @example
 * charTokenizer().tokenize('Zoë') // ['Z', 'o', 'ë']
 */
export function charTokenizer(options: { lowerCase?: boolean } = {}): Tokenizer {
  const lowerCase = options.lowerCase ?? false;
  return {
    config: { kind: 'char', lowerCase },
    tokenize: (text) => Array.from(lowerCase ? text.toLowerCase() : text),
    detokenize: (tokens) => tokens.join(''),
  };
}

const WORD = /[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

/**
 * Words: runs of letters and digits (keeping inner apostrophes: `don't`), and each other
 * non-space character as its own token. Lower-cases by default.
 *
 * @example
 * wordTokenizer().tokenize("Don't panic, Bob!") // ["don't", 'panic', ',', 'bob', '!']
 */
export function wordTokenizer(options: { lowerCase?: boolean } = {}): Tokenizer {
  const lowerCase = options.lowerCase ?? true;
  return {
    config: { kind: 'word', lowerCase },
    tokenize: (text) => (lowerCase ? text.toLowerCase() : text).match(WORD) ?? [],
    detokenize: (tokens) => tokens.join(' '),
  };
}

/** The tokenizer a saved config describes. */
export function tokenizerFromJSON(config: TokenizerConfig): Tokenizer {
  if (config?.kind === 'char') return charTokenizer({ lowerCase: config.lowerCase });
  if (config?.kind === 'word') return wordTokenizer({ lowerCase: config.lowerCase });
  throw new DataError('DATA_INVALID_STATE', `tokenizerFromJSON: kind ${JSON.stringify((config as { kind?: unknown })?.kind)}; expected 'char' or 'word'`, {
    expected: "'char' | 'word'",
    received: JSON.stringify(config),
  });
}
