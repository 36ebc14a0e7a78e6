import { Tensor, concat, slice } from '@loopflow/tensor';
import { CellError } from './errors';
import { RecurrentState, detachState } from './state';
import { TruncatedBPTTWindow, tbpttSegments, tbpttWindows } from './tbptt-plan';

export { tbpttWindows, tbpttSegments } from './tbptt-plan';
export type { TruncatedBPTTWindow, TruncatedBPTTSegment } from './tbptt-plan';

/** Options of {@link truncatedBPTT}. */
export interface TruncatedBPTTOptions {
  /** Steps in the whole sequence (T). */
  sequenceLength: number;
  /** Steps between updates (k1): each update puts the loss on k1 new steps. */
  stepsPerUpdate: number;
  /** Steps the gradient flows back from the end of each update's steps (k2 >= k1; default k1). */
  stepsBackward?: number;
}

/** A forward pass over a segment of the sequence, from a state (undefined = zeros). */
export type SegmentForward = (xSegment: Tensor, state: RecurrentState | undefined) => { output: Tensor; state: RecurrentState };

/** What each update receives. */
export interface TruncatedBPTTUpdate {
  window: TruncatedBPTTWindow;
  /** The outputs of the loss steps `[lossStart, end)`: `[end - lossStart, B, ...]`, connected back to `start`. */
  output: Tensor;
  /** The state after step `end - 1` (not detached). */
  state: RecurrentState;
}

/** The plan of a truncated BPTT pass: its windows, and a runner over them. */
export interface TruncatedBPTT {
  readonly windows: readonly TruncatedBPTTWindow[];
  /**
   * Runs every window over time-major `x` `[T, B, ...]`: calls `forward` on the segments of
   * the window (split where states must be stored), hands the loss-step outputs to `update`
   * (take the loss, backward, optimizer step there), carries states detached between
   * windows, and returns the detached state at T (to carry into the next sequence).
   */
  run(x: Tensor, forward: SegmentForward, update: (u: TruncatedBPTTUpdate) => void, initialState?: RecurrentState): RecurrentState;
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new CellError('INVALID_ARGUMENT', `truncatedBPTT: ${field} is ${JSON.stringify(value)}; expected a positive integer`);
  }
  return value;
}

/**
 * Truncated backpropagation through time, TBPTT(k1, k2): an update every `stepsPerUpdate`
 * (k1) steps, the gradient flowing back `stepsBackward` (k2 >= k1) steps.
 * - k2 = k1: the classic chunked form; each chunk starts from the previous chunk's final
 *   state, detached.
 * - k2 > k1: each update re-runs the forward from k2 steps back (from a stored, detached
 *   state) and puts the loss only on the last k1 steps.
 * - k1 = k2 = T: full BPTT.
 *
 * @example
 * const tbptt = truncatedBPTT({ sequenceLength: 100, stepsPerUpdate: 20, stepsBackward: 40 });
 * state = tbptt.run(x, (xs, s) => runRecurrent(lstm, xs, { initialState: s }), ({ window, output }) => {
 *   const loss = mse(output, slice(targets, 0, window.lossStart, window.end));
 *   zeroGrads(params); loss.backward(); optimizer.step();
 * });
 */
export function truncatedBPTT(options: TruncatedBPTTOptions): TruncatedBPTT {
  const T = positiveInteger('sequenceLength', options.sequenceLength);
  const k1 = positiveInteger('stepsPerUpdate', options.stepsPerUpdate);
  const k2 = positiveInteger('stepsBackward', options.stepsBackward ?? k1);
  if (k2 < k1) {
    throw new CellError('INVALID_ARGUMENT', `truncatedBPTT: stepsBackward (${k2}) is less than stepsPerUpdate (${k1}); the gradient must reach at least every step whose loss the update takes. Use stepsBackward >= stepsPerUpdate`);
  }
  const windows = tbpttWindows(T, k1, k2);

  function run(x: Tensor, forward: SegmentForward, update: (u: TruncatedBPTTUpdate) => void, initialState?: RecurrentState): RecurrentState {
    if (!(x instanceof Tensor) || x.ndim < 1 || x.shape[0] !== T) {
      throw new CellError('INPUT_SHAPE', `truncatedBPTT: x has shape ${x instanceof Tensor ? `[${x.shape.join(',')}]` : typeof x}, expected [${T}, B, ...] (time-major, sequenceLength ${T}); permute a batch-first input with permute(x, [1, 0, 2])`);
    }
    let carried: RecurrentState | undefined = initialState ? detachState(initialState) : undefined; // the state at the window's start
    let last: RecurrentState | undefined = carried;
    for (const w of windows) {
      let state = carried;
      let nextCarried: RecurrentState | undefined = w.carryAt === w.start ? carried : undefined;
      const lossOutputs: Tensor[] = [];
      for (const segment of tbpttSegments(w)) {
        const result = forward(slice(x, 0, segment.start, segment.end), state);
        state = result.state;
        if (segment.inLoss) lossOutputs.push(result.output);
        if (segment.end === w.carryAt) nextCarried = detachState(state);
      }
      const finalState = state as RecurrentState;
      update({ window: w, output: lossOutputs.length === 1 ? lossOutputs[0] : concat(lossOutputs, 0), state: finalState });
      last = detachState(finalState);
      carried = nextCarried;
    }
    return last as RecurrentState;
  }

  return { windows, run };
}
