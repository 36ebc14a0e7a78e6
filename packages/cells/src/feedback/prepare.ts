import { DType, Tensor, add, allocate, concat, matmul, mul, transpose, zeros } from '@loopflow/tensor';
import { CELL_KINDS, CellKind, cellKindOf } from '../kinds';
import { CellState } from '../cells/operands';
import { RecurrentOperands, recurrentStep } from '../cells/step';
import { FeedbackLayerPlan, FeedbackPlan } from './plan';
import { FeedbackNetwork, LinearLayerParameters, RecurrentLayerParameters } from './network';

/** One layer with its operands prepared once per run (transposes and constants made once, not per step). */
interface PreparedLayer {
  plan: FeedbackLayerPlan;
  /** `W_ih^T` `[I, G*H]` (a linear layer's `W^T`). */
  inputWeight: Tensor;
  /** `b_ih` `[G*H]` (a linear layer's `b`). */
  inputBias: Tensor;
  /** A recurrent layer's self recurrence, as the cell steps take it; null for a linear layer. */
  operands: RecurrentOperands | null;
  /** A linear layer's self recurrence: `W_hh^T` `[H, H]` (full) or `w_hh` `[H]` (diagonal); else null. */
  linearSelf: Tensor | null;
  /** The cross-layer edges into this layer: source layers and their matrices stacked, `[sum H_src, G*H]`. */
  incoming: { sources: number[]; weight: Tensor } | null;
}

/** A network ready to step: its layers prepared, in order. */
export interface PreparedNetwork {
  layers: PreparedLayer[];
}

/** `[H, G*H]` with ones at `[k, g*H + k]`: times a `[G*H]` vector, the per-gate diagonal matrix. */
function gateDiagonalPattern(size: number, gates: number, dtype: DType): Tensor {
  const data = allocate(dtype, size * gates * size);
  for (let k = 0; k < size; k++) for (let g = 0; g < gates; g++) data[k * gates * size + g * size + k] = 1;
  return new Tensor(data, [size, gates * size]);
}

/** The IndRNN kind with the activation of an rnn / indrnn kind (elementwise recurrence). */
function diagonalKind(cell: CellKind): CellKind {
  return cellKindOf('indrnn', { nonlinearity: CELL_KINDS[cell].nonlinearity ?? undefined });
}

/**
 * A layer's self recurrence as `RecurrentOperands`, so the package's own cell steps run it:
 * - full: `W_hh^T` `[H, G*H]` (the standard cell);
 * - diagonal, one gate block (rnn, indrnn): the IndRNN step with `w_hh` `[H]`;
 * - diagonal, LSTM / GRU: `W_hh` is diagonal per gate: the pattern times `w_hh` `[G*H]`
 *   gives the `[H, G*H]` matrix (gradients reach the `G*H` weights only);
 * - none: a zero recurrent weight; only `b_hh` remains (and an LSTM's c, a GRU's `z * h`).
 */
function selfOperands(l: FeedbackLayerPlan, p: RecurrentLayerParameters, dtype: DType): RecurrentOperands {
  const cell = l.cell as CellKind;
  const biasHh = p.bias_hh;
  if (l.self === 'full') return { kind: cell, recurrent: transpose(p.weight_hh as Tensor), biasHh };
  if (l.gates === 1) {
    const recurrent = l.self === 'diagonal' ? (p.weight_hh as Tensor) : zeros([l.size], { dtype });
    return { kind: diagonalKind(cell), recurrent, biasHh };
  }
  const recurrent = l.self === 'diagonal'
    ? mul(gateDiagonalPattern(l.size, l.gates, dtype), p.weight_hh as Tensor) // [H, G*H]
    : zeros([l.size, l.gates * l.size], { dtype });
  return { kind: cell, recurrent, biasHh };
}

/** Prepares a (checked) network for many steps. */
export function prepareNetwork(net: FeedbackNetwork, plan: FeedbackPlan, dtype: DType): PreparedNetwork {
  const layers = plan.layers.map((l): PreparedLayer => {
    const into = plan.edges.filter((e) => e.toIndex === l.index);
    const incoming = into.length === 0 ? null : {
      sources: into.map((e) => e.fromIndex),
      weight: concat(into.map((e) => transpose(net.feedback[e.key].weight)), 0), // [sum H_src, G*H]
    };
    if (l.cell === 'linear') {
      const p = net.layers[l.name] as LinearLayerParameters;
      const linearSelf = l.self === 'full' ? transpose(p.weight_hh as Tensor) : l.self === 'diagonal' ? (p.weight_hh as Tensor) : null;
      return { plan: l, inputWeight: transpose(p.weight), inputBias: p.bias, operands: null, linearSelf, incoming };
    }
    const p = net.layers[l.name] as RecurrentLayerParameters;
    return { plan: l, inputWeight: transpose(p.weight_ih), inputBias: p.bias_ih, operands: selfOperands(l, p, dtype), linearSelf: null, incoming };
  });
  return { layers };
}

/** The input projection of layer `index` for a whole sequence or one step: `x W^T + b`. */
export function projectLayerInput(prepared: PreparedNetwork, index: number, x: Tensor): Tensor {
  const l = prepared.layers[index];
  return add(matmul(x, l.inputWeight), l.inputBias);
}

/**
 * One step of the whole network. `firstProjected` `[B, G*H_0]` is layer 0's projected input at
 * step t; `previous` holds every layer's state after step t-1. Layer k takes layer k-1's new
 * output (projected), plus the stacked outputs at t-1 of the layers with an edge into it
 * times their matrices, plus its own recurrence, and runs its cell.
 */
export function stepNetwork(prepared: PreparedNetwork, previous: readonly CellState[], firstProjected: Tensor): CellState[] {
  const next: CellState[] = [];
  prepared.layers.forEach((l, k) => {
    let input = k === 0 ? firstProjected : projectLayerInput(prepared, k, next[k - 1].h); // [B, G*H]
    if (l.incoming) {
      const sources = l.incoming.sources.map((s) => previous[s].h);
      const stacked = sources.length === 1 ? sources[0] : concat(sources, 1); // [B, sum H_src]
      input = add(input, matmul(stacked, l.incoming.weight));
    }
    if (l.operands) {
      next.push(recurrentStep(l.operands, previous[k], input));
    } else if (l.linearSelf) {
      const own = previous[k].h;
      next.push({ h: add(input, l.plan.self === 'full' ? matmul(own, l.linearSelf) : mul(own, l.linearSelf)) });
    } else {
      next.push({ h: input });
    }
  });
  return next;
}
