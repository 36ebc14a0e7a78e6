import { Tensor, concat, div, mul, permute, reshape, select, sum, tensor } from '@loopflow/tensor';

/**
 * The last layer's final state of a recurrent stack, `h` `[L*D, B, H]` -> `[B, D*H]`: the
 * forward direction after the last real step, and (bidirectional) the backward direction
 * after step 0 — each having read the whole sequence.
 */
export function lastLayerState(h: Tensor, numLayers: number, directions: number): Tensor {
  const top = (numLayers - 1) * directions;
  return directions === 2 ? concat([select(h, 0, top), select(h, 0, top + 1)], 1) : select(h, 0, top);
}

/** The mean over the real steps: `[T, B, F]` with a mask `[T, B]` -> `[B, F]`. */
export function maskedMean(x: Tensor, mask: Tensor, lengths: readonly number[]): Tensor {
  const [T, B] = mask.shape;
  const weighted = mul(x, reshape(mask, [T, B, 1])); // [T, B, F]
  const total = sum(weighted, 0); // [B, F]
  return div(total, tensor(lengths.map((n) => Math.max(n, 1)), [B, 1], { dtype: x.dtype }));
}

/** The output at each sequence's last real step: `[T, B, F]` -> `[B, F]`. */
export function lastRealStep(x: Tensor, lengths: readonly number[]): Tensor {
  const [T, B] = x.shape;
  const pick = new Array<number>(T * B).fill(0);
  lengths.forEach((n, b) => (pick[(Math.max(n, 1) - 1) * B + b] = 1));
  return sum(mul(x, tensor(pick, [T, B, 1], { dtype: x.dtype })), 0); // [B, F]
}

/** Forecast head output `[B, H * Ft]` -> `[H, B, Ft]` (the layout of series targets). */
export function toForecastLayout(y: Tensor, horizon: number, targetFeatures: number): Tensor {
  const B = y.shape[0];
  return permute(reshape(y, [B, horizon, targetFeatures]), [1, 0, 2]);
}
