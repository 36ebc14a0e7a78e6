import { Random, Tensor } from '@loopflow/tensor';
import { crossEntropy } from '@loopflow/losses';
import { fail } from '../errors';
import { correctCount, oneHotTimeMajor } from './helpers';
import { EvaluationSizes, TaskBatch, TaskInstance } from './task';

/** The shape of the delayed-recall task: how many symbols to remember, from how many. */
export interface CopyShape {
  /** Symbols shown and recalled (K). */
  symbols: number;
  /** Size of the alphabet the symbols are drawn from (A); chance accuracy is 1 / A. */
  alphabet: number;
}

/** One delayed-recall sequence as token ids. */
export interface CopyExample {
  /** Input ids: symbols are 1..A, blank 0, the recall cue A + 1. Length 2K + delay + 1. */
  input: number[];
  /** The classes to output at the last K steps: symbol - 1, in 0..A-1. */
  recall: number[];
}

/**
 * The copy / delayed-recall task (the copying memory problem of Hochreiter & Schmidhuber 1997
 * and Arjovsky et al. 2016, with the loss on the recall steps only): K symbols, then `delay`
 * blanks, then a recall cue, then K blank steps during which the model must output the K
 * symbols in order. Symbol i is recalled K + delay + 1 steps after it was shown.
 *
 * @example
 * copySequence([3, 1], 2, 8); // input [3, 1, 0, 0, 9, 0, 0], recall [2, 0] (at steps 5 and 6)
 */
export function copySequence(symbols: readonly number[], delay: number, alphabet: number): CopyExample {
  if (!Number.isInteger(delay) || delay < 0) fail('INVALID_ARGUMENT', `copySequence: delay = ${delay}; expected a whole number >= 0`);
  for (const s of symbols) {
    if (!Number.isInteger(s) || s < 1 || s > alphabet) fail('INVALID_ARGUMENT', `copySequence: symbol ${s}; expected whole numbers in 1..${alphabet}`);
  }
  const K = symbols.length;
  const input = [...symbols, ...new Array<number>(delay).fill(0), alphabet + 1, ...new Array<number>(K).fill(0)];
  return { input, recall: symbols.map((s) => s - 1) };
}

/** Total steps of a delayed-recall sequence: 2K + delay + 1. */
export function copyLength(shape: CopyShape, delay: number): number {
  return 2 * shape.symbols + delay + 1;
}

/**
 * A batch of delayed recall: inputs `[T, B, A + 2]` one-hot, targets `[K, B]` class ids of
 * the last K steps.
 */
export function copyBatch(rng: Random, shape: CopyShape, delay: number, batchSize: number): TaskBatch {
  const ids: number[][] = [];
  const y = new Float32Array(shape.symbols * batchSize);
  for (let b = 0; b < batchSize; b++) {
    const symbols = Array.from({ length: shape.symbols }, () => 1 + rng.int(shape.alphabet));
    const ex = copySequence(symbols, delay, shape.alphabet);
    ids.push(ex.input);
    ex.recall.forEach((c, k) => (y[k * batchSize + b] = c));
  }
  return { inputs: oneHotTimeMajor(ids, shape.alphabet + 2), targets: new Tensor(y, [shape.symbols, batchSize]) };
}

function fixedSet(seed: string, shape: CopyShape, delay: number, size: number, chunk = 250): TaskBatch[] {
  const rng = new Random(seed);
  const out: TaskBatch[] = [];
  for (let left = size; left > 0; left -= chunk) out.push(copyBatch(rng, shape, delay, Math.min(chunk, left)));
  return out;
}

/**
 * Delayed recall at one delay as a {@link TaskInstance}: cross-entropy on the K recall steps;
 * the metric is the fraction of symbols recalled; solved = test accuracy >= 0.99.
 */
export function copyTask(delay: number, shape: CopyShape, sizes: EvaluationSizes): TaskInstance {
  const T = copyLength(shape, delay);
  const K = shape.symbols;
  return {
    task: 'copy',
    id: `copy/delay=${delay}`,
    setting: { name: 'delay', value: delay },
    inputSize: shape.alphabet + 2,
    outputSize: shape.alphabet,
    maxLength: T,
    readFrom: (steps) => steps - K,
    trainBatch: (rng, batchSize) => copyBatch(rng, shape, delay, batchSize),
    validation: fixedSet(`copy/${delay}/validation`, shape, delay, sizes.validationSize),
    test: fixedSet(`copy/${delay}/test`, shape, delay, sizes.testSize),
    evaluate(outputs, batch) {
      // outputs [K, B, A], targets [K, B]
      return { loss: crossEntropy(outputs, batch.targets), metricSum: correctCount(outputs, batch.targets), count: batch.targets.size };
    },
    metric: {
      name: 'accuracy',
      better: 'higher',
      solvedAt: 0.99,
      solvedRule: 'test recall accuracy >= 0.99',
      finish: (m) => m,
      baselines: [{ name: 'chance', value: 1 / shape.alphabet }],
    },
    description: `Delayed recall, delay ${delay}: ${K} symbols of ${shape.alphabet}, ${delay} blanks, a recall cue, then the ${K} symbols in order (T = ${T}; each symbol recalled ${K + delay + 1} steps after it was shown).`,
  };
}
