import { Tensor, add, mul, sigmoid, split, tanh } from '@loopflow/tensor';
import { CellState, RecurrentOperands, recurrentProduct } from './operands';

/**
 * One LSTM step from the projected input `[B, 4H]` (PyTorch's gate order i, f, g, o):
 * ```
 * i, f, g, o = split(xProjected + h W_hh^T + b_hh)
 * c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
 * h' = sigmoid(o) * tanh(c')
 * ```
 */
export function lstmRecurrence(operands: RecurrentOperands, state: CellState, xProjected: Tensor): CellState {
  const gates = add(xProjected, recurrentProduct(operands, state.h)); // [B, 4H]
  const [i, f, g, o] = split(gates, 4, 1); // 4 x [B, H]
  const c = add(mul(sigmoid(f), state.c as Tensor), mul(sigmoid(i), tanh(g)));
  const h = mul(sigmoid(o), tanh(c));
  return { h, c };
}
