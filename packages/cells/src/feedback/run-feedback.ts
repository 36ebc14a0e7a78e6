import { Tensor, allocate, concat, fmtShape, stack, unbind, where, zeros } from '@loopflow/tensor';
import { CellError } from '../errors';
import { CellState } from '../cells/operands';
import { checkLengths, lengthsFromMask } from '../lengths';
import { FeedbackNetwork, checkFeedbackNetwork } from './network';
import { planFeedback } from './plan';
import { prepareNetwork, projectLayerInput, stepNetwork } from './prepare';
import { FeedbackState, checkFeedbackState, feedbackLayerStates, initialFeedbackState } from './state';

/** Options of {@link runFeedbackNetwork}. */
export interface FeedbackRunOptions {
  /** The state to start from (`{ h: [B, sum H], c? }`, e.g. a previous run's); zeros when absent. */
  initialState?: FeedbackState;
  /** 1 for real steps, 0 for trailing padding, `[T, B]`: padded steps keep every layer's state and output zeros. */
  mask?: Tensor;
  /** Instead of `mask`: the number of real steps of each sequence. */
  lengths?: readonly number[];
}

/** What {@link runFeedbackNetwork} returns. */
export interface FeedbackRunResult {
  /** The last layer's output at every step, `[T, B, H_last]`; zero at padded steps. */
  output: Tensor;
  /** Every layer's output at every step, by layer name: `[T, B, H]`. */
  outputs: Record<string, Tensor>;
  /** The state after the last (real) step of each sequence; pass it as the next run's `initialState`. */
  state: FeedbackState;
}

function resolveLengths(options: FeedbackRunOptions, batch: number, timeSteps: number): number[] | null {
  if (options.mask && options.lengths) {
    throw new CellError('INVALID_ARGUMENT', 'feedback network: both lengths and mask were given; pass one of them');
  }
  if (options.mask) {
    const m = options.mask;
    if (!(m instanceof Tensor) || m.ndim !== 2 || m.shape[0] !== timeSteps || m.shape[1] !== batch) {
      throw new CellError('INVALID_LENGTHS', `feedback network: mask has shape ${m instanceof Tensor ? fmtShape(m.shape) : typeof m}, expected [${timeSteps},${batch}] ([T, B], like x)`);
    }
    return checkLengths('feedback network', lengthsFromMask(m), batch, timeSteps);
  }
  return options.lengths ? checkLengths('feedback network', options.lengths, batch, timeSteps) : null;
}

/** `[B, 1]` with 1 where step t is real; null when all are; 'none' when none is. */
function activeMask(lengths: readonly number[], t: number, dtype: 'float32' | 'float64'): Tensor | null | 'none' {
  const active = lengths.filter((len) => t < len).length;
  if (active === lengths.length) return null;
  if (active === 0) return 'none';
  const data = allocate(dtype, lengths.length);
  lengths.forEach((len, b) => (data[b] = t < len ? 1 : 0));
  return new Tensor(data, [lengths.length, 1]);
}

/**
 * Runs a feedback network over a batch of sequences, `x` `[T, B, I]` (time-major).
 *
 * At step t, layer k's input is layer k-1's output at t (layer 0: `x_t`) through its input
 * weights, plus, for every feedback edge into it, the source layer's output at t-1 through the
 * edge's matrix, plus its own output at t-1 through its self recurrence (lateral: full matrix;
 * direct: diagonal); its cell turns that into its output at t. At t = 0 the "outputs at t-1"
 * are the initial state (zeros by default). Layer 0's input projection for all steps is one
 * product. Everything is recorded by autograd, so `backward()` through the result is full BPTT;
 * carry `detachState(result.state)` into the next call for truncated BPTT.
 *
 * @example
 * const net = createFeedbackNetwork(new Random(0), definition);
 * const { output, outputs, state } = runFeedbackNetwork(net, x); // x [T, B, 3] -> output [T, B, 2]
 * outputs.h1 // [T, B, 16]
 * const next = runFeedbackNetwork(net, x2, { initialState: state });
 */
export function runFeedbackNetwork(net: FeedbackNetwork, x: Tensor, options: FeedbackRunOptions = {}): FeedbackRunResult {
  const dtype = checkFeedbackNetwork(net);
  const plan = planFeedback(net.config);
  if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== plan.inputSize) {
    throw new CellError('INPUT_SHAPE', `feedback network: x has shape ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}, expected [T,B,${plan.inputSize}] (time-major, inputSize ${plan.inputSize}); add a batch dimension of 1 for a single sequence`);
  }
  if (x.dtype !== dtype) {
    throw new CellError('INPUT_SHAPE', `feedback network: x is ${x.dtype} but the parameters are ${dtype}; convert it with .to('${dtype}')`);
  }
  const [timeSteps, batch] = x.shape;
  const lengths = resolveLengths(options, batch, timeSteps);
  const start = options.initialState ?? initialFeedbackState(net, batch, dtype);
  if (options.initialState) checkFeedbackState(net, start, batch, dtype);
  const startByName = feedbackLayerStates(net, start);

  const prepared = prepareNetwork(net, plan, dtype);
  const firstProjected = timeSteps > 0 ? unbind(projectLayerInput(prepared, 0, x), 0) : []; // T x [B, G*H_0]
  let state: CellState[] = plan.layers.map((l) => startByName[l.name]);
  const perLayer: Tensor[][] = plan.layers.map(() => new Array<Tensor>(timeSteps));
  const zeroOutputs = plan.layers.map((l) => zeros([batch, l.size], { dtype }));

  for (let t = 0; t < timeSteps; t++) {
    const mask = lengths ? activeMask(lengths, t, dtype) : null;
    if (mask === 'none') {
      plan.layers.forEach((_, k) => (perLayer[k][t] = zeroOutputs[k]));
      continue;
    }
    const next = stepNetwork(prepared, state, firstProjected[t]);
    if (mask) {
      next.forEach((s, k) => (perLayer[k][t] = where(mask, s.h, zeroOutputs[k])));
      state = next.map((s, k) => {
        const h = where(mask, s.h, state[k].h);
        return s.c ? { h, c: where(mask, s.c, state[k].c as Tensor) } : { h };
      });
    } else {
      next.forEach((s, k) => (perLayer[k][t] = s.h));
      state = next;
    }
  }

  const outputs: Record<string, Tensor> = {};
  plan.layers.forEach((l, k) => {
    outputs[l.name] = timeSteps > 0 ? stack(perLayer[k], 0) : zeros([0, batch, l.size], { dtype });
  });
  const hs = state.map((s) => s.h);
  const cs = state.filter((s) => s.c).map((s) => s.c as Tensor);
  const finalState: FeedbackState = { h: hs.length === 1 ? hs[0] : concat(hs, 1) };
  if (cs.length > 0) finalState.c = cs.length === 1 ? cs[0] : concat(cs, 1);
  return { output: outputs[plan.layers[plan.layers.length - 1].name], outputs, state: finalState };
}
