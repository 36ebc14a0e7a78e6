import { Random, Tensor, select } from '@loopflow/tensor';
import { crossEntropy } from '@loopflow/losses';
import { fail } from '../errors';
import { correctCount, oneHotTimeMajor } from './helpers';
import { EvaluationSizes, TaskBatch, TaskInstance } from './task';

/** Subjects and the word that completes "the <subject> ... are in the ___". */
export const SUBJECT_PLACES: readonly (readonly [string, string])[] = [
  ['clouds', 'sky'],
  ['fish', 'sea'],
  ['cows', 'barn'],
  ['books', 'library'],
  ['cars', 'garage'],
  ['bees', 'hive'],
  ['plates', 'kitchen'],
  ['kids', 'school'],
];

/**
 * Inserted clauses by length in words. `{noun}` is filled with a *different* subject, a
 * distractor: the nearest noun before the blank is then not the one that decides the answer.
 */
const CLAUSES: Readonly<Record<number, readonly string[]>> = {
  1: ['today', 'again', 'still', 'often', 'here', 'now'],
  2: ['last week', 'at night', 'so often', 'long ago', 'as usual'],
  3: ['that we saw', 'that you liked', 'over the hills', 'near the road', 'by the river'],
  4: ['that my friend liked', 'near the old house', 'which the {noun} saw', 'that the {noun} liked', 'as the {noun} said'],
  5: ['that my friend saw yesterday', 'which the {noun} watched closely', 'when the {noun} were small'],
};

const ENDING = ['are', 'in', 'the'];

/** Every word the sentences use, in a fixed order (the one-hot input vocabulary). */
export const LONG_CONTEXT_VOCABULARY: readonly string[] = (() => {
  const words = new Set<string>(['the', ...ENDING]);
  for (const [subject] of SUBJECT_PLACES) words.add(subject);
  for (const list of Object.values(CLAUSES)) for (const c of list) for (const w of c.split(' ')) if (w !== '{noun}') words.add(w);
  return [...words];
})();

/** The shortest distance: "the clouds are in the [sky]" has the subject 4 words before the blank. */
export const MIN_DISTANCE = 4;

/** Mean accuracy over the distances at which the long-context task counts as solved. */
export const LONG_CONTEXT_SOLVED_ACCURACY = 0.95;

/** One sentence of the long-context task. */
export interface LongContextSentence {
  /** The words read, ending with "are in the"; the blank comes right after the last word. */
  words: string[];
  /** The word that fills the blank. */
  answer: string;
  /** Index of the subject in `words` (always 1). */
  subjectIndex: number;
  /** Steps from the subject to the blank: `words.length - subjectIndex`. */
  distance: number;
}

/**
 * The classic example of why RNNs need long memory: "the clouds are in the ___" -> "sky",
 * with the subject pushed further back by inserted clauses (some naming other subjects). The
 * words between subject and blank are filled at random to exactly `distance - 4` words.
 *
 * @example
 * longContextSentence(new Random(0), 0, 4); // words 'the clouds are in the', answer 'sky', distance 4
 * longContextSentence(new Random(0), 0, 9); // e.g. 'the clouds that the fish liked again are in the'
 */
export function longContextSentence(rng: Random, pair: number, distance: number): LongContextSentence {
  if (!Number.isInteger(distance) || distance < MIN_DISTANCE) fail('INVALID_ARGUMENT', `longContextSentence: distance = ${distance}; expected a whole number >= ${MIN_DISTANCE}`);
  if (!Number.isInteger(pair) || pair < 0 || pair >= SUBJECT_PLACES.length) fail('INVALID_ARGUMENT', `longContextSentence: pair = ${pair}; expected 0..${SUBJECT_PLACES.length - 1}`);
  const [subject, answer] = SUBJECT_PLACES[pair];
  const words = ['the', subject];
  let left = distance - MIN_DISTANCE;
  while (left > 0) {
    const lengths = Object.keys(CLAUSES).map(Number).filter((n) => n <= left);
    const n = lengths[rng.int(lengths.length)];
    const list = CLAUSES[n];
    let clause = list[rng.int(list.length)];
    if (clause.includes('{noun}')) {
      let other = rng.int(SUBJECT_PLACES.length - 1);
      if (other >= pair) other++;
      clause = clause.replace('{noun}', SUBJECT_PLACES[other][0]);
    }
    words.push(...clause.split(' '));
    left -= n;
  }
  words.push(...ENDING);
  return { words, answer, subjectIndex: 1, distance: words.length - 1 };
}

const WORD_ID = new Map(LONG_CONTEXT_VOCABULARY.map((w, i) => [w, i]));

/** A batch of sentences at one distance: inputs `[distance + 1, B, V]` one-hot words, targets `[B]` place ids. */
export function longContextBatch(rng: Random, distance: number, batchSize: number): TaskBatch {
  const ids: number[][] = [];
  const y = new Float32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const pair = rng.int(SUBJECT_PLACES.length);
    const s = longContextSentence(rng, pair, distance);
    ids.push(s.words.map((w) => WORD_ID.get(w)!));
    y[b] = pair;
  }
  return { inputs: oneHotTimeMajor(ids, LONG_CONTEXT_VOCABULARY.length), targets: new Tensor(y, [batchSize]), group: distance };
}

/**
 * The long-context task over a set of distances as one {@link TaskInstance}: each training
 * batch draws one distance of the set; validation and test hold one batch per distance
 * (`group` = the distance), so the report gives the accuracy by distance. Solved = mean
 * validation / test accuracy >= 0.95; chance is 1/8.
 */
export function longContextTask(distances: readonly number[], sizes: EvaluationSizes): TaskInstance {
  if (distances.length === 0) fail('INVALID_ARGUMENT', 'longContextTask: no distances; pass at least one (>= 4)');
  const sorted = [...distances].sort((a, b) => a - b);
  const max = sorted[sorted.length - 1];
  const fixed = (part: string, size: number): TaskBatch[] => sorted.map((d) => longContextBatch(new Random(`long-context/${d}/${part}`), d, size));
  return {
    task: 'long-context',
    id: `long-context/max=${max}`,
    setting: { name: 'max distance', value: max },
    inputSize: LONG_CONTEXT_VOCABULARY.length,
    outputSize: SUBJECT_PLACES.length,
    maxLength: max + 1,
    readFrom: (T) => T - 1,
    trainBatch: (rng, batchSize) => longContextBatch(rng, sorted[rng.int(sorted.length)], batchSize),
    validation: fixed('validation', sizes.validationSize),
    test: fixed('test', sizes.testSize),
    evaluate(outputs, batch) {
      const logits = select(outputs, 0, outputs.shape[0] - 1); // [B, places]
      return { loss: crossEntropy(logits, batch.targets), metricSum: correctCount(logits, batch.targets), count: batch.targets.size };
    },
    metric: {
      name: 'accuracy',
      better: 'higher',
      solvedAt: LONG_CONTEXT_SOLVED_ACCURACY,
      solvedRule: `mean test accuracy over the distances >= ${LONG_CONTEXT_SOLVED_ACCURACY}`,
      finish: (m) => m,
      baselines: [{ name: 'chance', value: 1 / SUBJECT_PLACES.length }],
    },
    groupName: 'distance',
    description: `Long-range context: "the <subject> <clauses> are in the ___", ${SUBJECT_PLACES.length} subject/place pairs, distances ${sorted.join(', ')} words between subject and blank (inserted clauses may name other subjects).`,
  };
}
