/**
 * The cell kinds: one row per cell that every driver reads (the composed step, the module's
 * parameters and states, the fused kernels, the streamer) instead of branching on the kind.
 * A new cell is a row here, its step in `cells/`, and its gate code in the kernels.
 */
import { relu, tanh } from '@loopflow/tensor';
import { CellError } from './errors';
import { Recurrence, UnitStep } from './cells/operands';
import { rnnRecurrence, rnnUnits } from './cells/rnn-cell';
import { reluOf } from './cells/scalar';
import { lstmRecurrence, lstmUnits } from './cells/lstm-cell';
import { gruRecurrence, gruUnits } from './cells/gru-cell';

/** The recurrent layer families (a module's `kind`). `rnn` is Elman's (PyTorch `nn.RNN`); `indrnn` has a diagonal recurrence. */
export type RecurrentKind = 'rnn' | 'lstm' | 'gru' | 'indrnn';

/** The activation of an `rnn` or `indrnn` layer. */
export type Nonlinearity = 'tanh' | 'relu';

/**
 * The cell a layer runs, with its nonlinearity folded in (PyTorch's `mode`: RNN_TANH, LSTM...):
 * the key of {@link CELL_KINDS}, what step functions, `runLayerDirection` and the fused kernels take.
 */
export type CellKind = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru' | 'indrnn_tanh' | 'indrnn_relu';

/** A part of a cell's state, each `[B, H]`: the hidden state `h`, an LSTM's cell state `c`. */
export type StatePart = 'h' | 'c';

// The kernels' codes (the WebAssembly ABI: packages/cells/assembly, which must agree).
/** Job codes of the fused kernels (assembly/team.ts K_*). */
export const K_LSTM_FORWARD = 1;
export const K_LSTM_BACKWARD = 2;
export const K_GRU_FORWARD = 3;
export const K_GRU_BACKWARD = 4;
export const K_RNN_FORWARD = 5;
export const K_RNN_BACKWARD = 6;
export const K_STREAM = 7;
/** `mode` bits of the rnn kernels and the stream job (assembly/cells.ts). */
export const MODE_RELU = 1;
export const MODE_DIAGONAL = 2;
/** Stream mode bit: W_hh^T stored as [H, 16] panels (assembly/stream.ts MODE_PANELS). */
export const MODE_PANELS = 4;
/** Cell codes of the stream job, its parameter AUX0 (assembly/stream.ts KIND_*). */
export const STREAM_LSTM = 0;
export const STREAM_GRU = 1;
export const STREAM_RNN = 2;

/** How the fused WebAssembly kernels run a cell kind. */
export interface FusedCell {
  /** Job codes (K_*) of the forward and backward calls over one layer and direction. */
  readonly forward: number;
  readonly backward: number;
  /** Mode bits (MODE_RELU, MODE_DIAGONAL) of those calls and of the stream job. */
  readonly mode: number;
  /** The stream job's cell code (STREAM_*). */
  readonly stream: number;
  /**
   * What the tape keeps per step besides the activations `[T, B, G*H]`: one `[T, B, H]`
   * region each, passed to both calls as AUX0, AUX1, AUX2 in this order.
   */
  readonly tape: readonly string[];
  /**
   * The stream job keeps `b_hh` apart (GRU: `b_hn` is inside `r * (W_hn h + b_hn)`); the other
   * cells add it to `b_ih` once.
   */
  readonly separateRecurrentBias: boolean;
}

/** One cell kind: everything a driver needs to know about it. */
export interface CellKindSpec {
  readonly kind: CellKind;
  /** The layer family that runs it (a module's `kind`); the first row of a family is its default. */
  readonly family: RecurrentKind;
  /** The family's constructor, for messages (`createLSTM`). */
  readonly constructorName: string;
  /** The activation that `config.nonlinearity` chose (rnn, indrnn); null when the gate activations are fixed. */
  readonly nonlinearity: Nonlinearity | null;
  /** Gate blocks per unit: `weight_ih` is `[gates*H, I]`, the projected input `[T, B, gates*H]`. */
  readonly gates: number;
  /** The state a step carries, each part `[B, H]` (`[L*D, B, H]` for a stack). */
  readonly stateParts: readonly StatePart[];
  /** The recurrent weight is a vector `[H]` (elementwise recurrence, IndRNN), not a matrix `[gates*H, H]`. */
  readonly diagonal: boolean;
  /** The composed step's recurrent half (tensor ops; the reference). */
  readonly recurrence: Recurrence;
  /** The same step on plain arrays (the streamer without the fused kernels). */
  readonly units: UnitStep;
  /** The fused kernels' entry points and tape layout. */
  readonly fused: FusedCell;
}

const RNN_TAPE = ['hprev'];

/**
 * The table of cell kinds. Rows of a family are adjacent, its default first.
 *
 * @example CELL_KINDS.gru.gates // 3: weight_ih_l0 is [3H, I]
 */
export const CELL_KINDS: Readonly<Record<CellKind, CellKindSpec>> = {
  rnn_tanh: {
    kind: 'rnn_tanh', family: 'rnn', constructorName: 'createRNN', nonlinearity: 'tanh', gates: 1, stateParts: ['h'], diagonal: false,
    recurrence: rnnRecurrence(tanh), units: rnnUnits(Math.tanh),
    fused: { forward: K_RNN_FORWARD, backward: K_RNN_BACKWARD, mode: 0, stream: STREAM_RNN, tape: RNN_TAPE, separateRecurrentBias: false },
  },
  rnn_relu: {
    kind: 'rnn_relu', family: 'rnn', constructorName: 'createRNN', nonlinearity: 'relu', gates: 1, stateParts: ['h'], diagonal: false,
    recurrence: rnnRecurrence(relu), units: rnnUnits(reluOf),
    fused: { forward: K_RNN_FORWARD, backward: K_RNN_BACKWARD, mode: MODE_RELU, stream: STREAM_RNN, tape: RNN_TAPE, separateRecurrentBias: false },
  },
  lstm: {
    kind: 'lstm', family: 'lstm', constructorName: 'createLSTM', nonlinearity: null, gates: 4, stateParts: ['h', 'c'], diagonal: false,
    recurrence: lstmRecurrence, units: lstmUnits,
    fused: { forward: K_LSTM_FORWARD, backward: K_LSTM_BACKWARD, mode: 0, stream: STREAM_LSTM, tape: ['hprev', 'cprev', 'tanhc'], separateRecurrentBias: false },
  },
  gru: {
    kind: 'gru', family: 'gru', constructorName: 'createGRU', nonlinearity: null, gates: 3, stateParts: ['h'], diagonal: false,
    recurrence: gruRecurrence, units: gruUnits,
    fused: { forward: K_GRU_FORWARD, backward: K_GRU_BACKWARD, mode: 0, stream: STREAM_GRU, tape: ['hn', 'hprev'], separateRecurrentBias: true },
  },
  indrnn_relu: {
    kind: 'indrnn_relu', family: 'indrnn', constructorName: 'createIndRNN', nonlinearity: 'relu', gates: 1, stateParts: ['h'], diagonal: true,
    recurrence: rnnRecurrence(relu), units: rnnUnits(reluOf),
    fused: { forward: K_RNN_FORWARD, backward: K_RNN_BACKWARD, mode: MODE_RELU | MODE_DIAGONAL, stream: STREAM_RNN, tape: RNN_TAPE, separateRecurrentBias: false },
  },
  indrnn_tanh: {
    kind: 'indrnn_tanh', family: 'indrnn', constructorName: 'createIndRNN', nonlinearity: 'tanh', gates: 1, stateParts: ['h'], diagonal: true,
    recurrence: rnnRecurrence(tanh), units: rnnUnits(Math.tanh),
    fused: { forward: K_RNN_FORWARD, backward: K_RNN_BACKWARD, mode: MODE_DIAGONAL, stream: STREAM_RNN, tape: RNN_TAPE, separateRecurrentBias: false },
  },
};

const ROWS: readonly CellKindSpec[] = Object.values(CELL_KINDS);

/** The layer families, in the order of the table (rnn, lstm, gru, indrnn). */
export const RECURRENT_KINDS: readonly RecurrentKind[] = [...new Set(ROWS.map((row) => row.family))];

/**
 * The default row of a layer family (its first), which also says what the family's config
 * takes: a nonlinearity (rnn, indrnn), a recurrent bound and init (diagonal). Throws
 * `INVALID_CONFIG` for an unknown family.
 */
export function familyDefault(kind: RecurrentKind): CellKindSpec {
  const row = ROWS.find((r) => r.family === kind);
  if (!row) {
    throw new CellError('INVALID_CONFIG', `recurrent: kind ${JSON.stringify(kind)} is unknown; expected one of ${RECURRENT_KINDS.join(', ')}`);
  }
  return row;
}

/**
 * The cell kind of a layer family and config (`rnn` + `relu` -> `rnn_relu`; no nonlinearity: the family's default).
 *
 * @example CELL_KINDS[cellKindOf(module.kind, module.config)].gates // 4 for an LSTM
 */
export function cellKindOf(kind: RecurrentKind, config: { nonlinearity?: Nonlinearity }): CellKind {
  const row = ROWS.find((r) => r.family === kind && r.nonlinearity === config.nonlinearity) ?? familyDefault(kind);
  return row.kind;
}

/** Whether a cell kind carries a cell state `c` besides `h` (LSTM). */
export function hasCellState(kind: CellKind): boolean {
  return CELL_KINDS[kind].stateParts.includes('c');
}

/** The base names of a layer's parameters (PyTorch's, before `_l<k>` and `_reverse`). */
export type ParameterBase = 'weight_ih' | 'weight_hh' | 'bias_ih' | 'bias_hh';

/**
 * The parameters of one layer and direction of a cell kind, in PyTorch's order: `weight_ih`
 * `[G*H, I]`, `weight_hh` `[G*H, H]` (IndRNN: `[H]`), and with `bias` `bias_ih`, `bias_hh` `[G*H]`.
 *
 * @example cellParameterShapes('gru', 8, 16, true) // [['weight_ih', [48, 8]], ['weight_hh', [48, 16]], ['bias_ih', [48]], ['bias_hh', [48]]]
 */
export function cellParameterShapes(kind: CellKind, inputWidth: number, hiddenSize: number, bias: boolean): [ParameterBase, number[]][] {
  const { gates, diagonal } = CELL_KINDS[kind];
  const rows = gates * hiddenSize;
  const shapes: [ParameterBase, number[]][] = [['weight_ih', [rows, inputWidth]], ['weight_hh', diagonal ? [hiddenSize] : [rows, hiddenSize]]];
  if (bias) shapes.push(['bias_ih', [rows]], ['bias_hh', [rows]]);
  return shapes;
}

// Kept for the public API (they were the package's gate counters); the table answers.

/** @deprecated Read `CELL_KINDS[kind].gates`. Gate blocks per step of a cell kind (4 for LSTM, 3 for GRU, 1 otherwise). */
export function cellGates(kind: CellKind): number {
  return CELL_KINDS[kind].gates;
}

/** @deprecated Read `familyDefault(kind).gates`. Gate blocks of a layer family: rows of `weight_ih` are `gateCount * hiddenSize`. */
export function gateCount(kind: RecurrentKind): number {
  return familyDefault(kind).gates;
}

/** @deprecated Read `CELL_KINDS[kind].diagonal`. True for the IndRNN cells, whose recurrent weight is a vector. */
export function isDiagonal(kind: CellKind): boolean {
  return CELL_KINDS[kind].diagonal;
}
