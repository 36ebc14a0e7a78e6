import { LoopflowError } from '@loopflow/tensor';

/**
 * The class seen most often among the training labels (the smallest index on a tie): the
 * majority-class baseline predicts it for every example.
 *
 * @example majorityClass([0, 1, 0, 0]) // 0
 */
export function majorityClass(trainLabels: readonly number[]): number {
  if (trainLabels.length === 0) throw new LoopflowError('DATA_EMPTY', 'majorityClass: no training labels; the training split is empty');
  const counts = new Map<number, number>();
  for (const label of trainLabels) counts.set(label, (counts.get(label) ?? 0) + 1);
  let best = -1;
  let bestCount = -1;
  for (const [label, count] of counts) {
    if (count > bestCount || (count === bestCount && label < best)) {
      best = label;
      bestCount = count;
    }
  }
  return best;
}
