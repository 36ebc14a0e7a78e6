import { Tensor, add, relu, tanh } from '@loopflow/tensor';
import { CellState, RecurrentOperands, recurrentProduct } from './operands';

/**
 * One step of an Elman RNN or an IndRNN from the projected input `[B, H]`:
 * `h' = act(xProjected + W_hh h + b_hh)` (IndRNN: `w_hh * h`), act = tanh or relu by kind.
 */
export function rnnRecurrence(operands: RecurrentOperands, state: CellState, xProjected: Tensor): CellState {
  const preActivation = add(xProjected, recurrentProduct(operands, state.h)); // [B, H]
  const relus = operands.kind === 'rnn_relu' || operands.kind === 'indrnn_relu';
  return { h: relus ? relu(preActivation) : tanh(preActivation) };
}
