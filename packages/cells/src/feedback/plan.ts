import { CellKind } from '../kinds';
import { FeedbackDefinition, feedbackCellRow } from './definition';
import { validateFeedbackDefinition } from './validate';

/**
 * How a layer's output at t-1 feeds the same layer at t:
 * - `full`: a `[G*H, H]` matrix (`weight_hh`; lateral, and complete's diagonal blocks);
 * - `diagonal`: a `[G*H]` vector, one weight per neuron and gate (`weight_hh`; direct, indrnn);
 * - `none`: no self edge; the layer is feed-forward in time, except an LSTM's cell state c and
 *   a GRU's update-gate interpolation `z * h`, which are part of those cells.
 */
export type SelfRecurrence = 'full' | 'diagonal' | 'none';

/** One layer of a resolved plan. */
export interface FeedbackLayerPlan {
  name: string;
  /** Position in the stack, from 0. */
  index: number;
  /** Neurons, H. */
  size: number;
  /** The cell as the step functions name it (`indrnn` resolved to `indrnn_relu`), or `linear`. */
  cell: CellKind | 'linear';
  /** Gate blocks: 4 (lstm), 3 (gru), else 1. */
  gates: number;
  /** Width of the layer's feed-forward input: `inputSize` for layer 0, else the previous layer's size. */
  inputWidth: number;
  /** The layer's own recurrence. */
  self: SelfRecurrence;
}

/** One edge between two different layers, from `from`'s output at t-1 into `to` at t. */
export interface FeedbackEdgePlan {
  from: string;
  to: string;
  fromIndex: number;
  toIndex: number;
  /** The key of the edge's parameters: `feedback.<key>.weight`, key = `<from>_to_<to>`. */
  key: string;
}

/** A definition resolved into what the network computes: each layer's self recurrence and the cross-layer edges. */
export interface FeedbackPlan {
  inputSize: number;
  layers: FeedbackLayerPlan[];
  /** Cross-layer edges, in declaration order (complete: by receiving layer, then by source layer). */
  edges: FeedbackEdgePlan[];
}

/**
 * Resolves a definition (validated first) into a {@link FeedbackPlan}: `lateral` makes a
 * layer's self recurrence `full`, `direct` (and an `indrnn` cell) `diagonal`; `indirect` adds
 * one edge; `complete` makes every layer's self recurrence `full` and adds an edge for every
 * ordered pair of different layers (one matrix per ordered pair: together they are the blocks of
 * one matrix over the concatenated state of all layers).
 *
 * @example planFeedback(definition).layers.map((l) => l.self) // ['full', 'diagonal', 'none']
 */
export function planFeedback(definition: FeedbackDefinition): FeedbackPlan {
  const def = validateFeedbackDefinition(definition);
  const layers: FeedbackLayerPlan[] = def.layers.map((l, index) => {
    const row = feedbackCellRow(l.cell); // null for linear
    return {
      name: l.name,
      index,
      size: l.size,
      cell: row ? row.kind : 'linear',
      gates: row ? row.gates : 1,
      inputWidth: index === 0 ? def.inputSize : def.layers[index - 1].size,
      self: row?.diagonal ? 'diagonal' : 'none',
    };
  });
  const byName = new Map(layers.map((l) => [l.name, l]));
  const edges: FeedbackEdgePlan[] = [];
  const addEdge = (from: FeedbackLayerPlan, to: FeedbackLayerPlan): void => {
    edges.push({ from: from.name, to: to.name, fromIndex: from.index, toIndex: to.index, key: `${from.name}_to_${to.name}` });
  };
  const list = def.feedback === 'complete' ? [{ kind: 'complete' as const }] : def.feedback ?? [];
  for (const edge of list) {
    if (edge.kind === 'lateral') (byName.get(edge.layer) as FeedbackLayerPlan).self = 'full';
    else if (edge.kind === 'direct') (byName.get(edge.layer) as FeedbackLayerPlan).self = 'diagonal';
    else if (edge.kind === 'indirect') addEdge(byName.get(edge.from) as FeedbackLayerPlan, byName.get(edge.to) as FeedbackLayerPlan);
    else {
      for (const to of layers) {
        to.self = 'full';
        for (const from of layers) if (from !== to) addEdge(from, to);
      }
    }
  }
  return { inputSize: def.inputSize, layers, edges };
}
