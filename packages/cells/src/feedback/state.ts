import { DType, Tensor, fmtShape, slice, zeros } from '@loopflow/tensor';
import { CellError } from '../errors';
import { CellState } from '../cells/operands';
import { FeedbackDefinition, FeedbackLayerDefinition, feedbackCellRow } from './definition';

/** Whether a layer carries a cell state `c` (LSTM). */
function carriesC(layer: FeedbackLayerDefinition): boolean {
  return feedbackCellRow(layer.cell)?.stateParts.includes('c') ?? false;
}

/**
 * The state of a feedback network for a batch: every layer's last output side by side,
 * `h` `[B, H_0 + H_1 + ...]` (layer order), and every LSTM layer's cell state side by side,
 * `c` `[B, sum of the LSTM layers' H]` (present when the network has an LSTM layer).
 *
 * It has the shape of a `RecurrentState` (`{ h, c? }`), so `detachState` and `truncatedBPTT`
 * carry it unchanged. `feedbackLayerStates` splits it per layer.
 */
export interface FeedbackState {
  h: Tensor;
  c?: Tensor;
}

/** Widths of the state: total `h` width, total `c` width (0 without LSTM layers). */
export function feedbackStateWidths(definition: FeedbackDefinition): { h: number; c: number } {
  let h = 0;
  let c = 0;
  for (const l of definition.layers) {
    h += l.size;
    if (carriesC(l)) c += l.size;
  }
  return { h, c };
}

/**
 * A zero state for `batchSize` sequences (what `runFeedbackNetwork` starts from by default).
 *
 * @example const s = initialFeedbackState(net, 4); // { h: [4, sum H], c?: [4, sum H of LSTM layers] }
 */
export function initialFeedbackState(net: { config: FeedbackDefinition }, batchSize: number, dtype: DType = 'float32'): FeedbackState {
  const widths = feedbackStateWidths(net.config);
  const h = zeros([batchSize, widths.h], { dtype });
  return widths.c > 0 ? { h, c: zeros([batchSize, widths.c], { dtype }) } : { h };
}

/** Checks a state against a network and batch size; throws `STATE_SHAPE`. */
export function checkFeedbackState(net: { config: FeedbackDefinition }, state: FeedbackState, batchSize: number, dtype: DType): void {
  const widths = feedbackStateWidths(net.config);
  const check = (name: 'h' | 'c', t: Tensor | undefined, width: number): void => {
    const expected = [batchSize, width];
    if (!(t instanceof Tensor) || t.ndim !== 2 || t.shape[0] !== batchSize || t.shape[1] !== width) {
      const got = t instanceof Tensor ? `has shape ${fmtShape(t.shape)}` : `is ${t === undefined ? 'missing' : typeof t}`;
      throw new CellError('STATE_SHAPE', `feedback network: initialState.${name} ${got}, expected ${fmtShape(expected)} (batch ${batchSize}, ${name === 'h' ? 'the sizes of all layers' : 'the sizes of the LSTM layers'} added up: ${width}); pass a state from initialFeedbackState() or a previous run`);
    }
    if (t.dtype !== dtype) {
      throw new CellError('STATE_SHAPE', `feedback network: initialState.${name} is ${t.dtype} but the parameters are ${dtype}; convert it with .to('${dtype}')`);
    }
  };
  check('h', state.h, widths.h);
  if (widths.c > 0) check('c', state.c, widths.c);
}

/**
 * The state of each layer, by name: `{ h [B, H] }`, plus `c [B, H]` for an LSTM layer (slices
 * of the joined state; gradients flow through them).
 *
 * @example feedbackLayerStates(net, result.state).out.h // [B, size of 'out']
 */
export function feedbackLayerStates(net: { config: FeedbackDefinition }, state: FeedbackState): Record<string, CellState> {
  const out: Record<string, CellState> = {};
  let atH = 0;
  let atC = 0;
  for (const l of net.config.layers) {
    const h = slice(state.h, 1, atH, atH + l.size);
    atH += l.size;
    if (carriesC(l)) {
      out[l.name] = { h, c: slice(state.c as Tensor, 1, atC, atC + l.size) };
      atC += l.size;
    } else {
      out[l.name] = { h };
    }
  }
  return out;
}
