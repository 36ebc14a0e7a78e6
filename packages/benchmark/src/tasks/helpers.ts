import { Tensor } from '@loopflow/tensor';

/**
 * Counts the positions where the largest logit is the target class. `logits` `[..., C]`,
 * `targets` `[...]` (class indices; positions with `mask` 0 are skipped).
 *
 * @example correctCount(tensor([[0.1, 2], [3, 0]]), tensor([1, 1])) // 1
 */
export function correctCount(logits: Tensor, targets: Tensor, mask?: Tensor): number {
  const C = logits.shape[logits.ndim - 1];
  const z = logits.data;
  const y = targets.data;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    if (mask && mask.data[i] === 0) continue;
    let best = 0;
    for (let c = 1; c < C; c++) if (z[i * C + c] > z[i * C + best]) best = c;
    if (best === y[i]) correct++;
  }
  return correct;
}

/**
 * One-hot features of token ids, time-major: `ids[b][t]` (sequences of equal length T) ->
 * `[T, B, depth]` float32.
 *
 * @example oneHotTimeMajor([[1, 0], [2, 2]], 3).shape // [2, 2, 3]
 */
export function oneHotTimeMajor(ids: readonly (readonly number[])[], depth: number): Tensor {
  const B = ids.length;
  const T = ids[0].length;
  const x = new Float32Array(T * B * depth);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(t * B + b) * depth + ids[b][t]] = 1;
  }
  return new Tensor(x, [T, B, depth]);
}
