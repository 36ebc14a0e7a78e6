import { DataError } from '../errors';
import { TokenizerConfig } from './tokenizer';

/** The special tokens: padding, unknown, begin and end of sequence. */
export interface SpecialTokens {
  readonly pad: string;
  readonly unk: string;
  readonly bos: string;
  readonly eos: string;
}

/** Default special tokens, at ids 0 (`<pad>`), 1 (`<unk>`), 2 (`<bos>`), 3 (`<eos>`). */
export const DEFAULT_SPECIALS: SpecialTokens = { pad: '<pad>', unk: '<unk>', bos: '<bos>', eos: '<eos>' };

/** Options of {@link Vocabulary.build}. */
export interface VocabularyOptions {
  /** Keep tokens seen at least this many times (default 1). */
  readonly minFrequency?: number;
  /** At most this many entries, specials included (default: no limit). */
  readonly maxSize?: number;
  /** Names of the special tokens (default {@link DEFAULT_SPECIALS}). */
  readonly specials?: Partial<SpecialTokens>;
  /** The tokenizer that produced the tokens, saved with the vocabulary. */
  readonly tokenizer?: TokenizerConfig;
}

/** A vocabulary as JSON: what `toJSON` writes and `fromJSON` reads. */
export interface VocabularyJSON {
  readonly format: 'loopflow-vocabulary';
  readonly version: 1;
  readonly specials: SpecialTokens;
  /** Every token, at its id (specials first). */
  readonly tokens: readonly string[];
  readonly tokenizer?: TokenizerConfig;
}

/**
 * A bijection between tokens and ids, with special tokens for padding (id 0), unknown (1),
 * begin (2) and end (3). Built from token counts (ties broken alphabetically, so a build is
 * deterministic), saved with a model (`toJSON`) and restored with it (`fromJSON`).
 *
 * @example
 * const vocab = Vocabulary.build([['a', 'b', 'a']]);
 * vocab.encode(['a', 'z'], { bos: true, eos: true }) // [2, 4, 1, 3]
 * Vocabulary.fromJSON(JSON.parse(JSON.stringify(vocab))).size // 6
 */
export class Vocabulary {
  readonly specials: SpecialTokens;
  readonly tokenizer?: TokenizerConfig;
  private readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  private constructor(tokens: readonly string[], specials: SpecialTokens, tokenizer?: TokenizerConfig) {
    this.tokens = tokens;
    this.specials = specials;
    this.tokenizer = tokenizer;
    this.ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /** A vocabulary from token sequences (each an array of tokens). */
  static build(sequences: Iterable<readonly string[]>, options: VocabularyOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const sequence of sequences) for (const token of sequence) counts.set(token, (counts.get(token) ?? 0) + 1);
    return Vocabulary.fromCounts(counts, options);
  }

  /** A vocabulary from token counts: most frequent first, then alphabetical (by code unit). */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabularyOptions = {}): Vocabulary {
    const minFrequency = options.minFrequency ?? 1;
    if (!(minFrequency >= 1)) throw new DataError('DATA_INVALID_ARGUMENT', `Vocabulary.build: minFrequency = ${minFrequency}; expected a number >= 1`);
    const specials = { ...DEFAULT_SPECIALS, ...options.specials };
    const specialList = [specials.pad, specials.unk, specials.bos, specials.eos];
    if (new Set(specialList).size !== 4) throw new DataError('DATA_INVALID_ARGUMENT', `Vocabulary.build: special tokens ${JSON.stringify(specialList)} repeat; expected four distinct tokens`);
    const maxSize = options.maxSize ?? Infinity;
    if (!(maxSize >= 4)) throw new DataError('DATA_INVALID_ARGUMENT', `Vocabulary.build: maxSize = ${maxSize}; expected at least 4 (the special tokens)`);
    const kept = [...counts]
      .filter(([token, n]) => n >= minFrequency && !specialList.includes(token))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([token]) => token)
      .slice(0, maxSize - 4);
    return new Vocabulary([...specialList, ...kept], specials, options.tokenizer);
  }

  /** Restores a vocabulary saved with `toJSON`, checking it. */
  static fromJSON(json: VocabularyJSON): Vocabulary {
    const fail = (what: string, expected: string): never => {
      throw new DataError('DATA_INVALID_STATE', `Vocabulary.fromJSON: ${what}; expected ${expected}; pass the object written by vocabulary.toJSON()`, { expected, received: what });
    };
    if (json?.format !== 'loopflow-vocabulary') fail(`format is ${JSON.stringify(json?.format)}`, "'loopflow-vocabulary'");
    if (json.version !== 1) fail(`version is ${JSON.stringify(json.version)}`, 'version 1');
    if (!Array.isArray(json.tokens)) fail('tokens is not an array', 'an array of strings');
    const seen = new Map<string, number>();
    json.tokens.forEach((token, i) => {
      if (typeof token !== 'string') fail(`tokens[${i}] is ${JSON.stringify(token)}`, 'a string');
      if (seen.has(token)) fail(`tokens[${i}] ${JSON.stringify(token)} repeats tokens[${seen.get(token)}]`, 'distinct tokens');
      seen.set(token, i);
    });
    const names: (keyof SpecialTokens)[] = ['pad', 'unk', 'bos', 'eos'];
    names.forEach((name, id) => {
      if (json.specials?.[name] !== json.tokens[id]) fail(`specials.${name} is ${JSON.stringify(json.specials?.[name])} but tokens[${id}] is ${JSON.stringify(json.tokens[id])}`, `the ${name} token at id ${id}`);
    });
    return new Vocabulary(json.tokens.slice(), { ...json.specials }, json.tokenizer);
  }

  /** Number of entries, specials included. */
  get size(): number {
    return this.tokens.length;
  }
  /** Id of the padding token (0). */
  get padId(): number {
    return 0;
  }
  /** Id of the unknown token (1). */
  get unkId(): number {
    return 1;
  }
  /** Id of the begin-of-sequence token (2). */
  get bosId(): number {
    return 2;
  }
  /** Id of the end-of-sequence token (3). */
  get eosId(): number {
    return 3;
  }

  /** Whether `token` has its own id. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of `token`, or the unknown id. */
  id(token: string): number {
    return this.ids.get(token) ?? 1;
  }

  /** The token at `id`; a `DATA_INVALID_ARGUMENT` error outside [0, size). */
  token(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new DataError('DATA_INVALID_ARGUMENT', `Vocabulary.token: id ${id} is out of range; expected an integer in [0, ${this.tokens.length - 1}]`);
    }
    return this.tokens[id];
  }

  /** Ids of `tokens`, optionally framed by begin/end ids. */
  encode(tokens: readonly string[], options: { bos?: boolean; eos?: boolean } = {}): number[] {
    const out: number[] = options.bos ? [2] : [];
    for (const t of tokens) out.push(this.ids.get(t) ?? 1);
    if (options.eos) out.push(3);
    return out;
  }

  /** Tokens of `ids`; with `skipSpecials` drops padding, begin and end (unknown is kept). */
  decode(ids: ArrayLike<number>, options: { skipSpecials?: boolean } = {}): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (options.skipSpecials && (id === 0 || id === 2 || id === 3)) continue;
      out.push(this.token(id));
    }
    return out;
  }

  /** Every token at its id. */
  list(): readonly string[] {
    return this.tokens;
  }

  /** The vocabulary as JSON, to save with a model. */
  toJSON(): VocabularyJSON {
    const json: VocabularyJSON = { format: 'loopflow-vocabulary', version: 1, specials: { ...this.specials }, tokens: this.tokens.slice() };
    return this.tokenizer ? { ...json, tokenizer: this.tokenizer } : json;
  }
}
