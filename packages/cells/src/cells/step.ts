import { DType, Tensor, fmtShape, transpose, zeros } from '@loopflow/tensor';
import { CELL_KINDS, CellKind, cellKindOf } from '../kinds';
import { CellError } from '../errors';
import { CellParams, CellState, RecurrentWeights, projectInput } from './operands';

/**
 * The recurrent half of a cell's parameters, prepared once per sequence: `W_hh` transposed to
 * `[H, G*H]` (so each step is one `[B, H] @ [H, G*H]` product and the transpose's backward
 * runs once, not per step), or IndRNN's diagonal `[H]`; and `b_hh`; with the cell kind whose
 * step reads them.
 */
export interface RecurrentOperands extends RecurrentWeights {
  readonly kind: CellKind;
}

/** Prepares `params` for many steps of `recurrentStep` (see {@link RecurrentOperands}). */
export function prepareRecurrent(kind: CellKind, params: CellParams): RecurrentOperands {
  const recurrent = CELL_KINDS[kind].diagonal ? params.weightHh : transpose(params.weightHh);
  return { kind, recurrent, biasHh: params.biasHh };
}

/** A pure cell step: `(params, state, x [B, I]) => [state', y [B, H]]`. */
export type CellStep = (params: CellParams, state: CellState, x: Tensor) => [CellState, Tensor];

/**
 * The recurrent half of one step of any cell: from the state and the already projected
 * input `[B, G*H]` (`projectInput`, bias `b_ih` included) to the next state. The drivers call
 * this once per time step; the feedback networks can call it too.
 */
export function recurrentStep(operands: RecurrentOperands, state: CellState, xProjected: Tensor): CellState {
  return CELL_KINDS[operands.kind].recurrence(operands, state, xProjected);
}

/** Zeros state `{ h [B, H], c [B, H] (LSTM) }` of a cell. */
export function initialCellState(kind: CellKind, batchSize: number, hiddenSize: number, dtype: DType = 'float32'): CellState {
  const [h, c] = CELL_KINDS[kind].stateParts.map(() => zeros([batchSize, hiddenSize], { dtype })); // h, and c (LSTM)
  return c ? { h, c } : { h };
}

function checkStepInputs(kind: CellKind, params: CellParams, state: CellState, x: Tensor): void {
  const { gates, diagonal, stateParts } = CELL_KINDS[kind];
  const [rows, inputSize] = params.weightIh.shape;
  const hiddenSize = rows / gates;
  const expectedHh = diagonal ? [hiddenSize] : [rows, hiddenSize];
  if (params.weightIh.ndim !== 2 || !Number.isInteger(hiddenSize) || params.weightHh.shape.join() !== expectedHh.join()) {
    throw new CellError('PARAMETER_SHAPE', `${kind}: weightIh ${fmtShape(params.weightIh.shape)} and weightHh ${fmtShape(params.weightHh.shape)} do not fit; expected [${gates}*H, I] and ${diagonal ? '[H]' : `[${gates}*H, H]`}`);
  }
  if (x.ndim !== 2 || x.shape[1] !== inputSize) {
    throw new CellError('INPUT_SHAPE', `${kind}: x has shape ${fmtShape(x.shape)}, expected [B,${inputSize}] (inputSize ${inputSize}); a step takes one time step of a batch`);
  }
  const batch = x.shape[0];
  const expected = [batch, hiddenSize];
  for (const key of stateParts) {
    const s = state[key];
    if (!s || s.shape.join() !== expected.join()) {
      throw new CellError('STATE_SHAPE', `${kind}: state.${key} has shape ${s ? fmtShape(s.shape) : 'undefined'}, expected ${fmtShape(expected)} (batch ${batch}, hiddenSize ${hiddenSize}); pass a state from initialCellState()`);
    }
  }
}

/**
 * One step of a cell of any kind: `(params, state, x [B, I]) => [state', h' [B, H]]`, composed
 * from primitive tensor ops (autograd differentiates it; no gradient code of its own).
 *
 * @example
 * const params = layerParams(lstm, 0, false);
 * let state = initialCellState('lstm', 4, 16);
 * [state, y] = cellStep('lstm', params, state, x); // x [4, I] -> y [4, 16]
 */
export function cellStep(kind: CellKind, params: CellParams, state: CellState, x: Tensor): [CellState, Tensor] {
  checkStepInputs(kind, params, state, x);
  const next = recurrentStep(prepareRecurrent(kind, params), state, projectInput(params, x));
  return [next, next.h];
}

/** An Elman RNN step `h' = act(W_ih x + b_ih + W_hh h + b_hh)`; see {@link cellStep}. */
export function rnnStep(params: CellParams, state: CellState, x: Tensor, nonlinearity: 'tanh' | 'relu' = 'tanh'): [CellState, Tensor] {
  return cellStep(cellKindOf('rnn', { nonlinearity }), params, state, x);
}

/** An LSTM step (gates i, f, g, o; state `{ h, c }`); see {@link cellStep}. */
export function lstmStep(params: CellParams, state: CellState, x: Tensor): [CellState, Tensor] {
  return cellStep('lstm', params, state, x);
}

/** A GRU step (gates r, z, n, reset after the product); see {@link cellStep}. */
export function gruStep(params: CellParams, state: CellState, x: Tensor): [CellState, Tensor] {
  return cellStep('gru', params, state, x);
}

/** An IndRNN step `h' = act(W_ih x + b_ih + w_hh * h + b_hh)` (relu by default); see {@link cellStep}. */
export function indRNNStep(params: CellParams, state: CellState, x: Tensor, nonlinearity: 'tanh' | 'relu' = 'relu'): [CellState, Tensor] {
  return cellStep(cellKindOf('indrnn', { nonlinearity }), params, state, x);
}

/** The pure step of a cell kind, as a `(params, state, x) => [state, y]` function. */
export function stepFunction(kind: CellKind): CellStep {
  return (params, state, x) => cellStep(kind, params, state, x);
}
