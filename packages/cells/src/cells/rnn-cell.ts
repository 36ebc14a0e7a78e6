import { Tensor, add } from '@loopflow/tensor';
import { Recurrence, UnitStep, recurrentProduct } from './operands';

/**
 * One step of an Elman RNN or an IndRNN from the projected input `[B, H]`:
 * `h' = act(xProjected + W_hh h + b_hh)` (IndRNN: `w_hh * h`), act = tanh or relu.
 */
export function rnnRecurrence(activation: (preActivation: Tensor) => Tensor): Recurrence {
  return (operands, state, xProjected) => {
    const preActivation = add(xProjected, recurrentProduct(operands, state.h)); // [B, H]
    return { h: activation(preActivation) };
  };
}

/** {@link rnnRecurrence} on plain arrays: `h[j] = act(input[j] + recurrent[j])`. */
export function rnnUnits(activation: (preActivation: number) => number): UnitStep {
  return (input, recurrent, h, _c, hiddenSize) => {
    for (let j = 0; j < hiddenSize; j++) h[j] = activation(input[j] + recurrent[j]);
  };
}
