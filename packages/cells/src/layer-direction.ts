import { Tensor, stack, unbind, where, zeros, allocate } from '@loopflow/tensor';
import { CellKind, hasCellState } from './kinds';
import { CellParams, CellState } from './cells/operands';
import { prepareRecurrent, recurrentStep } from './cells/step';

/** What one layer and direction of a recurrent stack produced. */
export interface LayerDirectionResult {
  /** Hidden state at every step, in time order `[T, B, H]`; zero at padded steps. */
  output: Tensor;
  /** Final hidden state `[B, H]` (each sequence's state after its own last step). */
  h: Tensor;
  /** Final cell state `[B, H]` of an LSTM, else null. */
  c: Tensor | null;
  /** The state tensor after each step, in time order (when `keepHiddenStates`): T x `[B, H]`. */
  hiddenStates?: Tensor[];
}

/** Options of {@link runLayerDirection}. */
export interface LayerDirectionOptions {
  /** Also return the per-step state tensors (for `grad(loss, hiddenStates)`). */
  keepHiddenStates?: boolean;
}

/**
 * Runs one layer in one direction over a whole sequence: the time loop of the composed
 * (reference) path. A fused kernel may replace it for the standard shapes (see
 * `setLayerRunner` and `runLayer`); it must then give the same results and gradients.
 *
 * - `xProjected` `[T, B, G*H]`: the input already projected for all steps (`projectInput`,
 *   `b_ih` included); each step does only the recurrent product.
 * - `h0`, `c0` `[B, H]` (c0 for LSTM only, else null).
 * - `lengths`: per batch element, the number of real steps (padding trails); null = all T.
 *   Padded steps leave the state unchanged and output zeros, so the reverse direction
 *   starts at each sequence's own last step (PyTorch's packed-sequence semantics).
 * - `reverse`: run from step T-1 down to 0.
 *
 * @example
 * const r = runLayerDirection('lstm', params, projectInput(params, x), h0, c0, null, false);
 * r.output // [T, B, H]
 */
export function runLayerDirection(
  kind: CellKind,
  weights: CellParams,
  xProjected: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  lengths: readonly number[] | null,
  reverse: boolean,
  options: LayerDirectionOptions = {},
): LayerDirectionResult {
  const steps = unbind(xProjected, 0); // T x [B, G*H]; backward is one pass over the whole buffer
  const timeSteps = steps.length;
  const [batch, hiddenSize] = h0.shape;
  const operands = prepareRecurrent(kind, weights);
  const outputs: Tensor[] = new Array(timeSteps);
  const hiddenStates: Tensor[] | undefined = options.keepHiddenStates ? new Array(timeSteps) : undefined;
  const carriesC = hasCellState(kind);
  let state: CellState = carriesC ? { h: h0, c: c0 as Tensor } : { h: h0 };
  let zeroOutput: Tensor | null = null;
  let lastStepH: Tensor | null = null;

  for (let s = 0; s < timeSteps; s++) {
    const t = reverse ? timeSteps - 1 - s : s;
    const mask = lengths ? activeMask(lengths, t, h0.dtype) : null; // [B, 1] or null when all active
    if (mask === 'none') {
      // Every sequence has ended: nothing changes, and the outputs are zero.
      zeroOutput ??= zeros([batch, hiddenSize], { dtype: h0.dtype });
      outputs[t] = zeroOutput;
    } else {
      const next = recurrentStep(operands, state, steps[t]);
      lastStepH = next.h;
      if (mask) {
        zeroOutput ??= zeros([batch, hiddenSize], { dtype: h0.dtype });
        outputs[t] = where(mask, next.h, zeroOutput);
        state = carriesC ? { h: where(mask, next.h, state.h), c: where(mask, next.c as Tensor, state.c as Tensor) } : { h: where(mask, next.h, state.h) };
      } else {
        state = next;
        outputs[t] = next.h;
      }
    }
    if (hiddenStates) {
      // The hidden state this step produced: with padding, the step's own h (whose gradient
      // gathers both the output path and the carried path, and is zero on padded rows), not
      // the carried state, which on padded rows is an earlier step's tensor.
      if (mask === null) hiddenStates[t] = state.h;
      else if (mask === 'none') hiddenStates[t] = zeros([batch, hiddenSize], { dtype: h0.dtype });
      else hiddenStates[t] = lastStepH as Tensor;
    }
  }
  const output = timeSteps > 0 ? stack(outputs, 0) : zeros([0, batch, hiddenSize], { dtype: h0.dtype });
  return { output, h: state.h, c: state.c ?? null, hiddenStates };
}

/** `[B, 1]` with 1 where step t is real; null when every sequence is active; 'none' when none is. */
function activeMask(lengths: readonly number[], t: number, dtype: 'float32' | 'float64'): Tensor | null | 'none' {
  let active = 0;
  for (const len of lengths) if (t < len) active++;
  if (active === lengths.length) return null;
  if (active === 0) return 'none';
  const data = allocate(dtype, lengths.length);
  for (let b = 0; b < lengths.length; b++) data[b] = t < lengths[b] ? 1 : 0;
  return new Tensor(data, [lengths.length, 1]);
}
