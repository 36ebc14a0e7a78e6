import { Random, Tensor, select } from '@loopflow/tensor';
import { mseLoss } from '@loopflow/losses';
import { fail } from '../errors';
import { EvaluationSizes, TaskBatch, TaskInstance } from './task';

/** One sequence of the adding problem as plain numbers. */
export interface AddingExample {
  /** The value channel: T numbers uniform in [0, 1). */
  values: number[];
  /** The two marked steps: one in the first half `[0, floor(T/2))`, one in the second `[floor(T/2), T)`. */
  markers: [number, number];
  /** The sum of the two marked values. */
  target: number;
}

/**
 * MSE of always answering 1 (the mean of the target): the variance of the sum of two
 * independent U(0, 1) values, 2 / 12 = 0.1667. "Solved" is a test MSE below 0.01.
 */
export const ADDING_BASELINE_MSE = 1 / 6;

/** The adding problem's solved threshold on the test MSE (Le et al. 2015; Li et al. 2018). */
export const ADDING_SOLVED_MSE = 0.01;

/**
 * The adding problem (Hochreiter & Schmidhuber 1997; the form of Le et al. 2015 and Li et al.
 * 2018): each step has two inputs, a value uniform in [0, 1) and a marker (0 or 1); exactly
 * two steps are marked, one in each half of the sequence; the target is the sum of the two
 * marked values, read after the last step.
 *
 * @example
 * addingSequence([0.2, 0.5, 0.9, 0.1], [1, 2]); // target 1.4; inputs [[0.2,0],[0.5,1],[0.9,1],[0.1,0]]
 */
export function addingSequence(values: readonly number[], markers: readonly [number, number]): { inputs: number[][]; target: number } {
  const [a, b] = markers;
  if (a === b || a < 0 || b < 0 || a >= values.length || b >= values.length) {
    fail('INVALID_ARGUMENT', `addingSequence: markers [${a}, ${b}] for ${values.length} steps; expected two different steps inside the sequence`);
  }
  const inputs = values.map((v, t) => [v, t === a || t === b ? 1 : 0]);
  return { inputs, target: values[a] + values[b] };
}

/** Draws one adding-problem sequence of `length` steps (length >= 2). */
export function addingExample(rng: Random, length: number): AddingExample {
  if (!Number.isInteger(length) || length < 2) fail('INVALID_ARGUMENT', `addingExample: length = ${length}; expected a whole number >= 2`);
  const half = Math.floor(length / 2);
  const values = Array.from({ length }, () => rng.next());
  const markers: [number, number] = [rng.int(half), half + rng.int(length - half)];
  return { values, markers, target: values[markers[0]] + values[markers[1]] };
}

/**
 * A batch of the adding problem: inputs `[T, B, 2]` (value, marker), targets `[B, 1]`.
 *
 * @example const { inputs, targets } = addingBatch(new Random(0), 100, 32); // [100, 32, 2], [32, 1]
 */
export function addingBatch(rng: Random, length: number, batchSize: number): TaskBatch {
  const x = new Float32Array(length * batchSize * 2);
  const y = new Float32Array(batchSize);
  for (let b = 0; b < batchSize; b++) {
    const ex = addingExample(rng, length);
    for (let t = 0; t < length; t++) x[(t * batchSize + b) * 2] = ex.values[t];
    for (const t of ex.markers) x[(t * batchSize + b) * 2 + 1] = 1;
    y[b] = ex.target;
  }
  return { inputs: new Tensor(x, [length, batchSize, 2]), targets: new Tensor(y, [batchSize, 1]) };
}

/** The sum of squared differences of two tensors of the same size (plain numbers, no gradient). */
export function squaredErrorSum(a: Tensor, b: Tensor): number {
  const x = a.data;
  const y = b.data;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
  return s;
}

/**
 * A fixed evaluation set of `size` sequences, drawn one after another from `seed` and cut into
 * batches of `chunk`: the cut does not change the sequences, only the work of a pass. Batches of
 * 50 instead of 500 made a validation pass of the LSTM at T = 1000 about 8x cheaper in CPU time
 * (the fused kernels' activations of 500 x 1000 steps no longer fill hundreds of MB), and every
 * other model and length measured no slower (docs/results/issue13-compare-2026-12-07/eval-chunk.jsonl).
 */
function fixedSet(seed: string, length: number, size: number, chunk = 50): TaskBatch[] {
  const rng = new Random(seed);
  const out: TaskBatch[] = [];
  for (let left = size; left > 0; left -= chunk) out.push(addingBatch(rng, length, Math.min(chunk, left)));
  return out;
}

/**
 * The adding problem at sequence length `length` as a {@link TaskInstance}: loss and metric
 * are the MSE of the prediction read after the last step; solved = test MSE < 0.01.
 */
export function addingTask(length: number, sizes: EvaluationSizes): TaskInstance {
  return {
    task: 'adding',
    id: `adding/T=${length}`,
    setting: { name: 'length', value: length },
    inputSize: 2,
    outputSize: 1,
    maxLength: length,
    readFrom: (T) => T - 1,
    trainBatch: (rng, batchSize) => addingBatch(rng, length, batchSize),
    validation: fixedSet(`adding/${length}/validation`, length, sizes.validationSize),
    test: fixedSet(`adding/${length}/test`, length, sizes.testSize),
    evaluate(outputs, batch) {
      const pred = select(outputs, 0, outputs.shape[0] - 1); // [B, 1]
      const loss = mseLoss(pred, batch.targets);
      return { loss, metricSum: squaredErrorSum(pred, batch.targets), count: batch.targets.shape[0] };
    },
    metric: {
      name: 'MSE',
      better: 'lower',
      solvedAt: ADDING_SOLVED_MSE,
      solvedRule: `test MSE < ${ADDING_SOLVED_MSE}`,
      finish: (m) => m,
      baselines: [{ name: 'always 1', value: ADDING_BASELINE_MSE }],
    },
    description: `Adding problem, T = ${length}: two inputs per step (value U(0,1), marker), one marker in each half; target = sum of the two marked values; MSE after the last step.`,
  };
}
