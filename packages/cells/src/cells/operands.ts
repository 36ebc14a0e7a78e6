import { Tensor, add, matmul, mul, transpose } from '@loopflow/tensor';
import { CellKind } from '../config';
import { CellParams } from '../module';

/** A cell's state for a batch: `h` `[B, H]`, and `c` `[B, H]` for an LSTM. */
export interface CellState {
  h: Tensor;
  c?: Tensor;
}

/**
 * The recurrent half of a cell's parameters, prepared once per sequence: `W_hh` transposed to
 * `[H, G*H]` (so each step is one `[B, H] @ [H, G*H]` product and the transpose's backward
 * runs once, not per step), or IndRNN's diagonal `[H]`; and `b_hh`.
 */
export interface RecurrentOperands {
  readonly kind: CellKind;
  /** `W_hh^T` `[H, G*H]`, or the recurrent vector `[H]` of an IndRNN. */
  readonly recurrent: Tensor;
  /** `b_hh` `[G*H]`, or null. */
  readonly biasHh: Tensor | null;
}

/** True for the IndRNN cells, whose recurrent weight is a vector. */
export function isDiagonal(kind: CellKind): boolean {
  return kind === 'indrnn_relu' || kind === 'indrnn_tanh';
}

/** Prepares `params` for many steps of `recurrentStep` (see {@link RecurrentOperands}). */
export function prepareRecurrent(kind: CellKind, params: CellParams): RecurrentOperands {
  const recurrent = isDiagonal(kind) ? params.weightHh : transpose(params.weightHh);
  return { kind, recurrent, biasHh: params.biasHh };
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

/** `h @ W_hh^T + b_hh` (`[B, G*H]`), or `w_hh * h + b_hh` (`[B, H]`) for an IndRNN. */
export function recurrentProduct(operands: RecurrentOperands, h: Tensor): Tensor {
  const product = isDiagonal(operands.kind) ? mul(h, operands.recurrent) : matmul(h, operands.recurrent);
  return operands.biasHh ? add(product, operands.biasHh) : product;
}
