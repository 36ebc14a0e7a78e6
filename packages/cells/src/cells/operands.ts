import { FloatArray, Tensor, add, matmul, mul, transpose } from '@loopflow/tensor';

/** The four parameters of one layer and direction, as the step functions take them. */
export interface CellParams {
  /** `[G*H, I]` (I = inputSize for layer 0, D*H above). */
  weightIh: Tensor;
  /** `[G*H, H]`, or `[H]` for IndRNN. */
  weightHh: Tensor;
  /** `[G*H]`, or null for a layer without bias. */
  biasIh: Tensor | null;
  /** `[G*H]`, or null for a layer without bias. */
  biasHh: Tensor | null;
}

/** A cell's state for a batch: `h` `[B, H]`, and `c` `[B, H]` for an LSTM. */
export interface CellState {
  h: Tensor;
  c?: Tensor;
}

/**
 * The recurrent weights of a cell as its recurrence reads them: `W_hh^T` `[H, G*H]` (so each
 * step is one `[B, H] @ [H, G*H]` product), or IndRNN's recurrent vector `[H]`; and `b_hh`.
 */
export interface RecurrentWeights {
  /** `W_hh^T` `[H, G*H]`, or the recurrent vector `[H]` of an IndRNN (multiplies h elementwise). */
  readonly recurrent: Tensor;
  /** `b_hh` `[G*H]`, or null. */
  readonly biasHh: Tensor | null;
}

/**
 * The input half of a cell: `x @ W_ih^T + b_ih`, for any leading dims. Called once on a whole
 * sequence `[T, B, I] -> [T, B, G*H]` (one large product), or on one step `[B, I]`.
 *
 * @example projectInput(params, x) // [T, B, I] -> [T, B, 4H] for an LSTM
 */
export function projectInput(params: CellParams, x: Tensor): Tensor {
  const projected = matmul(x, transpose(params.weightIh)); // [..., G*H]
  return params.biasIh ? add(projected, params.biasIh) : projected;
}

/** `h @ W_hh^T + b_hh` (`[B, G*H]`), or `w_hh * h + b_hh` (`[B, H]`) when the recurrent weight is a vector (IndRNN). */
export function recurrentProduct(operands: RecurrentWeights, h: Tensor): Tensor {
  const product = operands.recurrent.ndim === 1 ? mul(h, operands.recurrent) : matmul(h, operands.recurrent);
  return operands.biasHh ? add(product, operands.biasHh) : product;
}


/**
 * The recurrent half of one step of a cell, composed from tensor ops: from the state and the
 * projected input `[B, G*H]` (`b_ih` included) to the next state. Autograd differentiates it.
 */
export type Recurrence = (operands: RecurrentWeights, state: CellState, xProjected: Tensor) => CellState;

/**
 * The same step on plain arrays for one sequence (the streamer's reference loops): from
 * `input` = `W_ih x + b_ih` and `recurrent` = `W_hh h + b_hh` (both `[G*H]`) to the new `h`
 * (and `c`, an LSTM's; else null) `[H]`, in place.
 */
export type UnitStep = (input: FloatArray, recurrent: FloatArray, h: FloatArray, c: FloatArray | null, hiddenSize: number) => void;
