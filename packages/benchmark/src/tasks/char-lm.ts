import { Random, oneHot } from '@loopflow/tensor';
import { crossEntropy } from '@loopflow/losses';
import { collate, randomSplit } from '@loopflow/data';
import { loadFirstNames } from '@loopflow/datasets';
import type { TokenSample } from '@loopflow/data';
import { EvaluationSizes, TaskBatch, TaskInstance } from './task';

/** The character vocabulary of the names: id 0 pads, id 1 marks a name's start and end ('.'), then the characters. */
export interface NameVocabulary {
  chars: string[];
  /** ids of the characters (2.. ) */
  idOf: Map<string, number>;
  /** 0 (padding) + 1 (boundary) + characters. */
  size: number;
}

/** Builds the vocabulary of a list of names (characters sorted by code unit). */
export function nameVocabulary(names: readonly string[]): NameVocabulary {
  const chars = [...new Set(names.join(''))].sort();
  return { chars, idOf: new Map(chars.map((c, i) => [c, i + 2])), size: chars.length + 2 };
}

/**
 * One name as a next-character sample: input `[1, c1, ..., cn]`, target `[c1, ..., cn, 1]`
 * (1 = the boundary: predict the first letter from it, and the end of the name after the last).
 *
 * @example nameSample('ab', vocab) // { input: [1, a, b], target: [a, b, 1] } with a, b the ids of 'a', 'b'
 */
export function nameSample(name: string, vocab: NameVocabulary): TokenSample {
  const ids = [...name].map((c) => vocab.idOf.get(c) ?? 1);
  return { kind: 'tokens', input: [1, ...ids], target: [...ids, 1] };
}

/**
 * Bits per character of the add-one-smoothed unigram and bigram models fitted on `train`,
 * measured on `test` (the characters and the end marker; the start marker is never predicted).
 */
export function ngramBaselines(train: readonly TokenSample[], test: readonly TokenSample[], vocabSize: number): { unigram: number; bigram: number } {
  const classes = vocabSize - 1; // every id but padding
  const uni = new Float64Array(vocabSize);
  const bi = new Float64Array(vocabSize * vocabSize);
  const prevTotal = new Float64Array(vocabSize);
  let total = 0;
  for (const s of train) {
    s.target.forEach((y, t) => {
      uni[y]++;
      total++;
      bi[s.input[t] * vocabSize + y]++;
      prevTotal[s.input[t]]++;
    });
  }
  let uBits = 0;
  let bBits = 0;
  let n = 0;
  for (const s of test) {
    s.target.forEach((y, t) => {
      const x = s.input[t];
      uBits -= Math.log2((uni[y] + 1) / (total + classes));
      bBits -= Math.log2((bi[x * vocabSize + y] + 1) / (prevTotal[x] + classes));
      n++;
    });
  }
  return { unigram: uBits / n, bigram: bBits / n };
}

function countNonZero(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}

function batchOf(samples: readonly TokenSample[], vocabSize: number): TaskBatch {
  const b = collate(samples); // inputs [T, B] ids, targets [T, B], mask [T, B]
  return { inputs: oneHot(b.inputs, vocabSize), targets: b.targets, mask: b.mask };
}

function chunks(samples: readonly TokenSample[], vocabSize: number, size: number): TaskBatch[] {
  const out: TaskBatch[] = [];
  for (let i = 0; i < samples.length; i += size) out.push(batchOf(samples.slice(i, i + size), vocabSize));
  return out;
}

/**
 * A character language model on English first names (@loopflow/datasets `loadFirstNames`,
 * 8,422 lower-cased names, split 80/10/10 with a fixed seed): predict each next character and
 * the end of the name. Metric: test bits per character; solved = below the add-one bigram model's
 * bits per character on the same test names. `sizes` caps the validation and test names used.
 */
export function charLmTask(sizes: EvaluationSizes): TaskInstance {
  const { names } = loadFirstNames();
  const vocab = nameVocabulary(names);
  const split = randomSplit(names, { seed: 'char-lm', validation: 0.1, test: 0.1 });
  const toSamples = (list: readonly string[]) => list.map((n) => nameSample(n, vocab));
  const train = toSamples(split.train);
  const validation = toSamples(split.validation.slice(0, sizes.validationSize));
  const test = toSamples(split.test.slice(0, sizes.testSize));
  const baselines = ngramBaselines(train, test, vocab.size);
  const maxLength = Math.max(...names.map((n) => [...n].length)) + 1;
  return {
    task: 'char-lm',
    id: 'char-lm/names',
    setting: { name: 'names', value: train.length },
    inputSize: vocab.size,
    outputSize: vocab.size,
    maxLength,
    readFrom: () => 0,
    trainBatch: (rng: Random, batchSize: number) => batchOf(Array.from({ length: batchSize }, () => train[rng.int(train.length)]), vocab.size),
    validation: chunks(validation, vocab.size, 256),
    test: chunks(test, vocab.size, 256),
    evaluate(outputs, batch) {
      // outputs [T, B, V], targets [T, B], mask [T, B]
      const tokens = batch.mask ? countNonZero(batch.mask.data) : batch.targets.size;
      const loss = crossEntropy(outputs, batch.targets, { mask: batch.mask });
      return { loss, metricSum: (loss.item() / Math.LN2) * tokens, count: tokens };
    },
    metric: {
      name: 'bits/char',
      better: 'lower',
      solvedAt: baselines.bigram,
      solvedRule: `test bits/char below the bigram model's ${baselines.bigram.toFixed(3)}`,
      finish: (m) => m,
      baselines: [
        { name: 'unigram', value: baselines.unigram },
        { name: 'bigram', value: baselines.bigram },
      ],
    },
    description: `Character LM on first names: ${train.length} training names, ${validation.length} validation, ${test.length} test; ${vocab.size - 2} characters + boundary; bits/char on the test names.`,
  };
}
