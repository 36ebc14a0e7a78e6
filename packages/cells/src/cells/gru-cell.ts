import { FloatArray, Tensor, add, mul, sigmoid, split, sub, tanh } from '@loopflow/tensor';
import { CellState, RecurrentWeights, recurrentProduct } from './operands';
import { sigmoidOf } from './scalar';

/**
 * One GRU step from the projected input `[B, 3H]` (PyTorch's gate order r, z, n, reset
 * applied after the recurrent product):
 * ```
 * r = sigmoid(x_r + h W_hr^T + b_hr)     z = sigmoid(x_z + h W_hz^T + b_hz)
 * n = tanh(x_n + r * (h W_hn^T + b_hn))  h' = (1 - z) * n + z * h
 * ```
 */
export function gruRecurrence(operands: RecurrentWeights, state: CellState, xProjected: Tensor): CellState {
  const [xr, xz, xn] = split(xProjected, 3, 1); // 3 x [B, H]
  const [hr, hz, hn] = split(recurrentProduct(operands, state.h), 3, 1); // 3 x [B, H]
  const r = sigmoid(add(xr, hr));
  const z = sigmoid(add(xz, hz));
  const n = tanh(add(xn, mul(r, hn)));
  // (1 - z) * n + z * h, written as n + z * (h - n): one op fewer, the same function.
  return { h: add(n, mul(z, sub(state.h, n))) };
}

/** {@link gruRecurrence} on plain arrays (`input`, `recurrent` `[3H]`; `h` `[H]` updated in place). */
export function gruUnits(input: FloatArray, recurrent: FloatArray, h: FloatArray, _c: FloatArray | null, H: number): void {
  for (let j = 0; j < H; j++) {
    const r = sigmoidOf(input[j] + recurrent[j]);
    const z = sigmoidOf(input[H + j] + recurrent[H + j]);
    const n = Math.tanh(input[2 * H + j] + r * recurrent[2 * H + j]);
    h[j] = (1 - z) * n + z * h[j];
  }
}
