import { FloatArray, Tensor, add, mul, sigmoid, split, tanh } from '@loopflow/tensor';
import { CellState, RecurrentWeights, recurrentProduct } from './operands';
import { sigmoidOf } from './scalar';

/**
 * One LSTM step from the projected input `[B, 4H]` (PyTorch's gate order i, f, g, o):
 * ```
 * i, f, g, o = split(xProjected + h W_hh^T + b_hh)
 * c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
 * h' = sigmoid(o) * tanh(c')
 * ```
 */
export function lstmRecurrence(operands: RecurrentWeights, state: CellState, xProjected: Tensor): CellState {
  const gates = add(xProjected, recurrentProduct(operands, state.h)); // [B, 4H]
  const [i, f, g, o] = split(gates, 4, 1); // 4 x [B, H]
  const c = add(mul(sigmoid(f), state.c as Tensor), mul(sigmoid(i), tanh(g)));
  const h = mul(sigmoid(o), tanh(c));
  return { h, c };
}

/** {@link lstmRecurrence} on plain arrays (`input`, `recurrent` `[4H]`; `h`, `c` `[H]` updated in place). */
export function lstmUnits(input: FloatArray, recurrent: FloatArray, h: FloatArray, c: FloatArray | null, H: number): void {
  const cell = c as FloatArray;
  for (let j = 0; j < H; j++) {
    const i = sigmoidOf(input[j] + recurrent[j]);
    const f = sigmoidOf(input[H + j] + recurrent[H + j]);
    const g = Math.tanh(input[2 * H + j] + recurrent[2 * H + j]);
    const o = sigmoidOf(input[3 * H + j] + recurrent[3 * H + j]);
    cell[j] = f * cell[j] + i * g;
    h[j] = o * Math.tanh(cell[j]);
  }
}
