/**
 * The declarative definition of a feedback network: plain JSON-able data naming the layers
 * and the feedback edges between them. See docs/feedback.md for the four kinds of feedback.
 */
import { CELL_KINDS, CellKind, CellKindSpec, RECURRENT_KINDS, RecurrentKind, cellKindOf } from '../kinds';

/**
 * The cell a layer of a feedback network runs. The recurrent cells are those of the rest of
 * this package (`indrnn` is `indrnn_relu`); `linear` is an affine layer `y = W x + b` with no
 * activation (a readout), which may still receive feedback.
 */
export type FeedbackCell = 'rnn_tanh' | 'rnn_relu' | 'lstm' | 'gru' | 'indrnn' | 'indrnn_relu' | 'indrnn_tanh' | 'linear';

/** Every accepted {@link FeedbackCell}, in the order error messages list them. */
export const FEEDBACK_CELLS: readonly FeedbackCell[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'gru', 'indrnn', 'indrnn_relu', 'indrnn_tanh', 'linear'];

/**
 * The row of the table of cell kinds that a feedback cell names (a family name such as
 * `indrnn` is its default cell, `indrnn_relu`), or null for `linear`.
 */
export function feedbackCellRow(cell: FeedbackCell): CellKindSpec | null {
  if (cell === 'linear') return null;
  return CELL_KINDS[(RECURRENT_KINDS as readonly string[]).includes(cell) ? cellKindOf(cell as RecurrentKind, {}) : (cell as CellKind)];
}

/** One layer: layer k reads layer k-1's output at the same step (layer 0 reads the input). */
export interface FeedbackLayerDefinition {
  /** Unique name: a letter, then letters, digits or `_`, without the substring `_to_`; not `config`, `rng` or an `Object.prototype` property. */
  name: string;
  /** Neurons (features of the layer's output), H. */
  size: number;
  /** The cell the layer runs. */
  cell: FeedbackCell;
}

/** Direct feedback: each neuron of `layer` feeds itself at the next step (diagonal recurrence). */
export interface DirectFeedback {
  kind: 'direct';
  layer: string;
}

/** Lateral feedback: each neuron of `layer` feeds every neuron of `layer` at the next step (full matrix). */
export interface LateralFeedback {
  kind: 'lateral';
  layer: string;
}

/**
 * Indirect feedback: the output of layer `from` feeds layer `to` at the next step through a
 * matrix of its own (Jordan-style when `from` is a later layer than `to`).
 */
export interface IndirectFeedback {
  kind: 'indirect';
  from: string;
  to: string;
}

/** Complete feedback: every neuron of every layer feeds every neuron of every layer at the next step. */
export interface CompleteFeedback {
  kind: 'complete';
}

/** One entry of a definition's `feedback` list. */
export type FeedbackEdge = DirectFeedback | LateralFeedback | IndirectFeedback | CompleteFeedback;

/** The kinds of feedback, in the order error messages list them. */
export const FEEDBACK_KINDS: readonly FeedbackEdge['kind'][] = ['direct', 'indirect', 'lateral', 'complete'];

/**
 * A feedback network as plain data (what `JSON.stringify` writes and `parseFeedbackDefinition`
 * reads back).
 *
 * @example
 * const definition: FeedbackDefinition = {
 *   inputSize: 3,
 *   layers: [
 *     { name: 'h1', size: 16, cell: 'rnn_tanh' },
 *     { name: 'h2', size: 8, cell: 'lstm' },
 *     { name: 'out', size: 2, cell: 'linear' },
 *   ],
 *   feedback: [{ kind: 'indirect', from: 'out', to: 'h1' }, { kind: 'direct', layer: 'h2' }],
 * };
 */
export interface FeedbackDefinition {
  /** Features of each input step, I. */
  inputSize: number;
  /** The layers, input side first; the last one's output is the network's output. */
  layers: FeedbackLayerDefinition[];
  /** The feedback edges, or `'complete'` (shorthand for `[{ kind: 'complete' }]`). Default `[]`. */
  feedback?: FeedbackEdge[] | 'complete';
}
