import { concatMap, filter, from, map, Observable, OperatorFunction } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import { charTokenizer, nextTokenWindows, Sample, Vocabulary, wordTokenizer } from '@loopflow/data';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import { Item, SPLITS } from '../../vocabulary/items';
import { collectItems } from '../../vocabulary/item-buffer';

/** Options of `tokenize`. */
export interface TokenizeOptions {
  tokenizer?: 'char' | 'word';
  lowerCase?: boolean;
}

/** `tokenize`: texts into characters or words. */
export const tokenizeStage = defineStage<TokenizeOptions>({
  name: 'tokenize',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Splits each text into tokens: characters (Unicode code points) or words.',
  input: ['texts'],
  output: 'tokens',
  schema: {
    type: 'object',
    properties: {
      tokenizer: { enum: ['char', 'word'], default: 'char', description: "'char': one token per character; 'word': runs of letters and digits, and each other non-space character." },
      lowerCase: { type: 'boolean', description: 'Lower-case first (default: false for char, true for word).' },
    },
  },
  example: { stage: 'tokenize', tokenizer: 'char' },
  create: (o, ctx) => {
    const tokenizer = (o.tokenizer ?? 'char') === 'char' ? charTokenizer({ lowerCase: o.lowerCase }) : wordTokenizer({ lowerCase: o.lowerCase });
    // one string per distinct token: token lists that a later stage holds as they are (an
    // objects layout) keep references instead of a copy of each token's text; the collecting
    // stages' ItemBuffer holds them as ids (2-4 bytes a token) anyway
    const interned = new Map<string, string>();
    const intern = (token: string): string => {
      const known = interned.get(token);
      if (known !== undefined) return known;
      interned.set(token, token);
      return token;
    };
    return map((item: Item<string>): Item<string[]> => {
      ctx.artifacts.tokenizer = tokenizer.config;
      const tokens = tokenizer.tokenize(item.value);
      for (let i = 0; i < tokens.length; i++) tokens[i] = intern(tokens[i]);
      return { ...item, value: tokens };
    });
  },
});

/** Options of `vocabulary`. */
export interface VocabularyOptions {
  minFrequency?: number;
  maxSize?: number;
}

/** `vocabulary`: fits a vocabulary on the training split and maps every split's tokens to ids. */
export const vocabularyStage = defineStage<VocabularyOptions>({
  name: 'vocabulary',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Builds a vocabulary from the training split only and maps the tokens of every split to ids (unknown tokens to <unk>).',
  description: 'Ids 0-3 are <pad>, <unk>, <bos>, <eos>; then the tokens, most frequent first. The vocabulary is saved in model.json.',
  input: ['tokens'],
  output: 'ids',
  requires: ['split'],
  schema: {
    type: 'object',
    properties: {
      minFrequency: { type: 'integer', minimum: 1, default: 1, description: 'Keep tokens seen at least this often in the training split.' },
      maxSize: { type: 'integer', minimum: 5, description: 'At most this many entries, the 4 special tokens included.' },
    },
  },
  example: { stage: 'vocabulary', minFrequency: 2 },
  create: (o, ctx): OperatorFunction<Item<string[]>, Item<number[]>> => (source) =>
    source.pipe(
      collectItems<string[]>(),
      concatMap((buffer) => {
        const vocabulary = Vocabulary.build(buffer.valuesOf('train'), { minFrequency: o.minFrequency, maxSize: o.maxSize, tokenizer: ctx.artifacts.tokenizer });
        ctx.artifacts.vocabulary = vocabulary;
        // encoded as the buffer drains: the tokens go as their ids come
        return buffer.drain((item): Item<number[]> => ({ ...item, value: vocabulary.encode(item.value) }));
      }),
    ),
});

/** Options of `next-token`. */
export interface NextTokenOptions {
  mode?: 'sequence' | 'windows';
  length?: number;
  stride?: number;
  maxLength?: number;
}

function requireVocabulary(vocabulary: Vocabulary | undefined, stage: string): Vocabulary {
  if (!vocabulary) throw new LoopflowError('PIPELINE_ORDER', `${stage}: no vocabulary was built before this stage; put a 'vocabulary' stage before it`);
  return vocabulary;
}

/** `next-token`: language-model samples (each step predicts the next token). */
export const nextTokenStage = defineStage<NextTokenOptions>({
  name: 'next-token',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Language-model samples: each step of the input predicts the next token.',
  description:
    "'sequence' (default): each item is one sample framed by <bos> and <eos> (a name: predict each next character and the end). 'windows': each split's items are joined into one stream (separated by <eos>) and cut into windows of `length` steps every `stride` tokens (a continuous corpus).",
  input: ['ids'],
  output: 'samples',
  schema: {
    type: 'object',
    properties: {
      mode: { enum: ['sequence', 'windows'], default: 'sequence', description: "'sequence': one sample per item, framed by <bos> and <eos> (short items: names); 'windows': each split's items joined and cut into windows of length steps (a continuous corpus)." },
      length: { type: 'integer', minimum: 1, description: "Steps per window (mode 'windows', required there)." },
      stride: { type: 'integer', minimum: 1, description: "Tokens between window starts (mode 'windows'; default length)." },
      maxLength: { type: 'integer', minimum: 2, description: "Longest sample of mode 'sequence' (longer items are cut)." },
    },
  },
  example: { stage: 'next-token', mode: 'sequence' },
  create: (o, ctx): OperatorFunction<Item<number[]>, Item<Sample>> => {
    const mode = o.mode ?? 'sequence';
    if (mode === 'windows' && o.length === undefined) {
      throw new StageOptionsError("mode 'windows' needs a window length", { path: '/length', expected: 'an integer >= 1', hint: 'add "length": 64 (steps per window)' });
    }
    if (mode === 'sequence') {
      return map((item: Item<number[]>): Item<Sample> => {
        const vocabulary = requireVocabulary(ctx.artifacts.vocabulary, 'next-token');
        let ids = [vocabulary.bosId, ...item.value, vocabulary.eosId];
        if (o.maxLength !== undefined && ids.length > o.maxLength + 1) ids = ids.slice(0, o.maxLength + 1);
        return { split: item.split, value: { kind: 'tokens', input: ids.slice(0, -1), target: ids.slice(1) } };
      });
    }
    return (source) =>
      source.pipe(
        collectItems<number[]>(),
        concatMap(
          (buffer) =>
            new Observable<Item<Sample>>((subscriber) => {
              const vocabulary = requireVocabulary(ctx.artifacts.vocabulary, 'next-token');
              // each split's items joined (with <eos>) and windowed as they are read from the buffer: no array of every window
              for (const split of SPLITS) {
                if (subscriber.closed) return;
                const chunks = (function* (): Generator<number[]> {
                  for (let i = 0; i < buffer.length; i++) if ((buffer.splitOf(i) ?? 'train') === split) yield [...buffer.valueAt(i), vocabulary.eosId];
                })();
                from(chunks)
                  .pipe(nextTokenWindows({ length: o.length as number, stride: o.stride }))
                  .subscribe({ next: (sample) => subscriber.next({ split, value: sample }), error: (e) => subscriber.error(e) });
              }
              buffer.clear();
              subscriber.complete();
            }),
        ),
      );
  },
});

/** Options of `classify`. */
export interface ClassifyOptions {
  maxLength?: number;
  keep?: 'start' | 'end';
}

/** `classify`: sequence-classification samples (a sequence of ids and its class). */
export const classifyStage = defineStage<ClassifyOptions>({
  name: 'classify',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Sequence-classification samples: the ids of each item and its class label.',
  description: 'Every item needs a label (from `text-field` with `label`, or a labelled dataset such as `spam-assassin`). Empty sequences are dropped.',
  input: ['ids'],
  output: 'samples',
  schema: {
    type: 'object',
    properties: {
      maxLength: { type: 'integer', minimum: 1, description: 'Longest sequence kept (longer ones are cut).' },
      keep: { enum: ['start', 'end'], default: 'start', description: 'Which end of a long sequence to keep.' },
    },
  },
  example: { stage: 'classify', maxLength: 400 },
  create: (o): OperatorFunction<Item<number[]>, Item<Sample>> => (source) =>
    source.pipe(
      map((item: Item<number[]>, index: number) => {
        if (item.label === undefined) {
          throw new LoopflowError('DATA_BAD_VALUE', `classify: item ${index} has no label; give text-field a label field, or use a labelled dataset`);
        }
        let ids = item.value;
        if (o.maxLength !== undefined && ids.length > o.maxLength) ids = o.keep === 'end' ? ids.slice(ids.length - o.maxLength) : ids.slice(0, o.maxLength);
        const sample: Sample = { kind: 'labelled', input: ids, label: item.label };
        return { split: item.split, label: item.label, value: sample };
      }),
      filter((item: Item<Sample>) => item.value.input.length > 0),
    ),
});
