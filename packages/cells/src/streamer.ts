import { DType, FloatArray, Tensor, allocate, fmtShape } from '@loopflow/tensor';
import { cellKindOf } from './kinds';
import { CellError } from './errors';
import { RecurrentModule, checkModule, layerParams } from './module';
import { RecurrentState, checkState } from './state';
import { openStackStream } from './layer-runner';

/**
 * Batch-1 streaming inference over a unidirectional stack: one step at a time, state kept,
 * nothing allocated per step. The steps run on the stream the installed layer runner offers
 * (float32 in WebAssembly: one call per step through every layer, weights and state in the
 * kernels' memory; see fused/stream.ts), chosen as `runRecurrent` chooses its runner; when it
 * declines (float64, no kernels, no runner installed) on the plain-loop reference
 * (stack-stream.ts): preallocated buffers, the backend's matmul kernel and the cell's gate
 * loop. No Tensor objects either way.
 */
export interface Streamer {
  /**
   * Feeds one input step `[I]` through every layer; returns the last layer's new hidden state
   * `[H]`. The returned array is reused by the next call: copy it to keep it.
   */
  step(x: ArrayLike<number>): FloatArray;
  /**
   * Like `step` with a one-hot input: reads row `token` of the stored `W_ih^T` instead of a
   * product. `token` is an integer in `[0, inputSize)`.
   */
  stepIndex(token: number): FloatArray;
  /** Sets every state back to zero. */
  reset(): void;
  /** Copies the module's current parameters again (call it after changing them). */
  refresh(): void;
  /** The live state buffers, per layer: `h[layer]` `[H]`, and `c[layer]` `[H]` for an LSTM (else null). */
  readonly state: { readonly h: readonly FloatArray[]; readonly c: readonly FloatArray[] | null };
  /** The state as tensors in `runRecurrent`'s layout (`[L, 1, H]`); allocates. */
  getState(): RecurrentState;
  /** Copies a `runRecurrent` state of batch 1 (`[L, 1, H]`) into the buffers. */
  setState(state: RecurrentState): void;
}

/**
 * A streamer over `module` (unidirectional; any kind, any number of layers). It works on a
 * copy of the weights, stored transposed (KERNELS.md: a one-hot input becomes a row read);
 * call `refresh()` after the module's parameters change. Buffers have the parameters' dtype;
 * float32 streams in WebAssembly when the fused runner is installed (as for `runRecurrent`).
 *
 * @example
 * const s = createStreamer(lstm);
 * for (const token of prompt) h = s.stepIndex(token); // [H], no allocation per step
 */
export function createStreamer(module: RecurrentModule): Streamer {
  const dtype: DType = checkModule(module);
  const { config } = module;
  if (config.bidirectional) {
    throw new CellError('UNSUPPORTED', `${module.kind}: createStreamer needs a unidirectional module; this one is bidirectional, and its backward direction needs the whole sequence first. Use runRecurrent() on the complete sequence instead`);
  }
  const layerCount = config.numLayers;
  const hiddenSize = config.hiddenSize;
  const inputSize = config.inputSize;
  const stream = openStackStream({ kind: cellKindOf(module.kind, config), layers: layerCount, inputSize, hiddenSize, dtype });
  const refresh = (): void => stream.load(Array.from({ length: layerCount }, (_, l) => layerParams(module, l, false)));
  refresh();
  const { h, c, input, output } = stream;
  return {
    step(x: ArrayLike<number>): FloatArray {
      if (!x || x.length !== inputSize) {
        throw new CellError('INPUT_SHAPE', `${module.kind} streamer: step received ${x ? x.length : x} values, expected ${inputSize} (inputSize); pass one time step of one sequence`);
      }
      for (let i = 0; i < inputSize; i++) input[i] = x[i];
      stream.step(-1);
      return output;
    },
    stepIndex(token: number): FloatArray {
      if (!Number.isInteger(token) || token < 0 || token >= inputSize) {
        throw new CellError('INPUT_SHAPE', `${module.kind} streamer: stepIndex(${token}) is out of range; expected an integer in [0, ${inputSize - 1}] (inputSize ${inputSize})`);
      }
      stream.step(token);
      return output;
    },
    reset(): void {
      for (const buffer of h) buffer.fill(0);
      if (c) for (const buffer of c) buffer.fill(0);
    },
    refresh,
    state: { h, c },
    getState(): RecurrentState {
      const pack = (buffers: FloatArray[]): Tensor => {
        const data = allocate(dtype, layerCount * hiddenSize);
        buffers.forEach((b, l) => data.set(b, l * hiddenSize));
        return new Tensor(data, [layerCount, 1, hiddenSize]);
      };
      return c ? { h: pack(h), c: pack(c) } : { h: pack(h) };
    },
    setState(state: RecurrentState): void {
      if (!state || !(state.h instanceof Tensor) || state.h.ndim !== 3 || state.h.shape[1] !== 1) {
        throw new CellError('STATE_SHAPE', `${module.kind} streamer: setState needs a state of batch 1, h [${layerCount},1,${hiddenSize}]; received h ${state?.h instanceof Tensor ? fmtShape(state.h.shape) : typeof state?.h}`);
      }
      checkState(module, state, 1, dtype);
      h.forEach((b, l) => b.set(state.h.data.subarray(l * hiddenSize, (l + 1) * hiddenSize)));
      if (c) c.forEach((b, l) => b.set((state.c as Tensor).data.subarray(l * hiddenSize, (l + 1) * hiddenSize)));
    },
  };
}
