import { DType, FloatArray, MatmulOptions, Tensor, allocate, fmtShape, getKernels } from '@loopflow/tensor';
import { CellKind, cellKindOf } from './config';
import { CellError } from './errors';
import { RecurrentModule, checkModule, layerParams } from './module';
import { RecurrentState, checkState } from './state';
import { WasmStream, createWasmStream } from './fused/stream';

/**
 * Batch-1 streaming inference over a unidirectional stack: one step at a time, state kept,
 * nothing allocated per step. float32 runs in WebAssembly (one call per step through every
 * layer, weights and state in the kernels' memory; see fused/stream.ts); float64, or a build
 * without the kernels, runs preallocated buffers with the active backend's matmul kernel and
 * plain loops for the gates. No Tensor objects either way.
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

/** One layer's weights, stored for streaming: transposed so each step is `[1, K] @ [K, G*H]`. */
interface StreamLayer {
  inputWidth: number;
  /** `W_ih^T` `[K, G*H]`: a one-hot input reads one contiguous row. */
  inputWeightT: FloatArray;
  /** `W_hh^T` `[H, G*H]`, or IndRNN's vector `[H]`. */
  recurrentWeight: FloatArray;
  biasIh: FloatArray | null;
  biasHh: FloatArray | null;
}

const ACCUMULATE: MatmulOptions = Object.freeze({ accumulate: true });

function transposed(t: Tensor, dtype: DType, into?: FloatArray): FloatArray {
  const [rows, cols] = t.shape;
  const out = into ?? allocate(dtype, rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return out;
}

/**
 * A streamer over `module` (unidirectional; any kind, any number of layers). It works on a
 * copy of the weights, stored transposed (KERNELS.md: a one-hot input becomes a row read);
 * call `refresh()` after the module's parameters change. Buffers have the parameters' dtype;
 * float32 streams in WebAssembly when the fused kernels are built.
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
  const kind: CellKind = cellKindOf(module.kind, config);
  const layerCount = config.numLayers;
  const hiddenSize = config.hiddenSize;
  const inputSize = config.inputSize;
  const gates = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const width = gates * hiddenSize;
  const diagonal = kind === 'indrnn_relu' || kind === 'indrnn_tanh';
  const relus = kind === 'rnn_relu' || kind === 'indrnn_relu';

  const wasm = dtype === 'float32' ? createWasmStream(kind, layerCount, inputSize, hiddenSize) : null;
  if (wasm) return wasmStreamer(module, wasm);

  const layers: StreamLayer[] = [];
  function refresh(): void {
    for (let l = 0; l < layerCount; l++) {
      const p = layerParams(module, l, false);
      const old = layers[l];
      layers[l] = {
        inputWidth: p.weightIh.shape[1],
        inputWeightT: transposed(p.weightIh, dtype, old?.inputWeightT),
        recurrentWeight: diagonal ? copyInto(p.weightHh.data, dtype, old?.recurrentWeight) : transposed(p.weightHh, dtype, old?.recurrentWeight),
        biasIh: p.biasIh ? copyInto(p.biasIh.data, dtype, old?.biasIh ?? undefined) : null,
        biasHh: p.biasHh ? copyInto(p.biasHh.data, dtype, old?.biasHh ?? undefined) : null,
      };
    }
  }
  refresh();

  const kernels = getKernels(dtype);
  const h: FloatArray[] = layers.map(() => allocate(dtype, hiddenSize));
  const c: FloatArray[] | null = kind === 'lstm' ? layers.map(() => allocate(dtype, hiddenSize)) : null;
  const input = allocate(dtype, inputSize); // x copied in (it may be a plain array)
  const inputPart = allocate(dtype, width); // W_ih x + b_ih
  const recurrentPart = allocate(dtype, width); // W_hh h + b_hh
  const output = allocate(dtype, hiddenSize);

  function startWith(out: FloatArray, bias: FloatArray | null): void {
    if (bias) out.set(bias);
    else out.fill(0);
  }

  function recurrentAndUpdate(l: number): void {
    const layer = layers[l];
    const hl = h[l];
    const H = hiddenSize;
    startWith(recurrentPart, layer.biasHh);
    if (diagonal) {
      for (let j = 0; j < H; j++) recurrentPart[j] += layer.recurrentWeight[j] * hl[j];
    } else {
      kernels.matmul(hl, layer.recurrentWeight, recurrentPart, 1, H, width, ACCUMULATE); // [1, H] @ [H, G*H]
    }
    if (kind === 'lstm') {
      const cl = (c as FloatArray[])[l];
      for (let j = 0; j < H; j++) {
        const i = sigmoid(inputPart[j] + recurrentPart[j]);
        const f = sigmoid(inputPart[H + j] + recurrentPart[H + j]);
        const g = Math.tanh(inputPart[2 * H + j] + recurrentPart[2 * H + j]);
        const o = sigmoid(inputPart[3 * H + j] + recurrentPart[3 * H + j]);
        cl[j] = f * cl[j] + i * g;
        hl[j] = o * Math.tanh(cl[j]);
      }
    } else if (kind === 'gru') {
      for (let j = 0; j < H; j++) {
        const r = sigmoid(inputPart[j] + recurrentPart[j]);
        const z = sigmoid(inputPart[H + j] + recurrentPart[H + j]);
        const n = Math.tanh(inputPart[2 * H + j] + r * recurrentPart[2 * H + j]);
        hl[j] = (1 - z) * n + z * hl[j];
      }
    } else {
      for (let j = 0; j < H; j++) {
        const pre = inputPart[j] + recurrentPart[j];
        hl[j] = relus ? (pre > 0 ? pre : 0) : Math.tanh(pre);
      }
    }
  }

  function project(l: number, x: FloatArray): void {
    const layer = layers[l];
    startWith(inputPart, layer.biasIh);
    kernels.matmul(x, layer.inputWeightT, inputPart, 1, layer.inputWidth, width, ACCUMULATE); // [1, K] @ [K, G*H]
  }

  function upperLayersAndOutput(): FloatArray {
    for (let l = 1; l < layerCount; l++) {
      project(l, h[l - 1]);
      recurrentAndUpdate(l);
    }
    output.set(h[layerCount - 1]);
    return output;
  }

  return {
    step(x: ArrayLike<number>): FloatArray {
      if (!x || x.length !== inputSize) {
        throw new CellError('INPUT_SHAPE', `${module.kind} streamer: step received ${x ? x.length : x} values, expected ${inputSize} (inputSize); pass one time step of one sequence`);
      }
      for (let i = 0; i < inputSize; i++) input[i] = x[i];
      project(0, input);
      recurrentAndUpdate(0);
      return upperLayersAndOutput();
    },
    stepIndex(token: number): FloatArray {
      if (!Number.isInteger(token) || token < 0 || token >= inputSize) {
        throw new CellError('INPUT_SHAPE', `${module.kind} streamer: stepIndex(${token}) is out of range; expected an integer in [0, ${inputSize - 1}] (inputSize ${inputSize})`);
      }
      const layer = layers[0];
      const row = token * width; // row `token` of W_ih^T = column `token` of W_ih
      startWith(inputPart, layer.biasIh);
      for (let j = 0; j < width; j++) inputPart[j] += layer.inputWeightT[row + j];
      recurrentAndUpdate(0);
      return upperLayersAndOutput();
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

/** The Streamer over a WebAssembly stream (float32): the same checks and state handling. */
function wasmStreamer(module: RecurrentModule, stream: WasmStream): Streamer {
  const { config } = module;
  const layerCount = config.numLayers;
  const hiddenSize = config.hiddenSize;
  const inputSize = config.inputSize;
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
        const data = allocate('float32', layerCount * hiddenSize);
        buffers.forEach((b, l) => data.set(b, l * hiddenSize));
        return new Tensor(data, [layerCount, 1, hiddenSize]);
      };
      return c ? { h: pack(h), c: pack(c) } : { h: pack(h) };
    },
    setState(state: RecurrentState): void {
      if (!state || !(state.h instanceof Tensor) || state.h.ndim !== 3 || state.h.shape[1] !== 1) {
        throw new CellError('STATE_SHAPE', `${module.kind} streamer: setState needs a state of batch 1, h [${layerCount},1,${hiddenSize}]; received h ${state?.h instanceof Tensor ? fmtShape(state.h.shape) : typeof state?.h}`);
      }
      checkState(module, state, 1, 'float32');
      h.forEach((b, l) => b.set(state.h.data.subarray(l * hiddenSize, (l + 1) * hiddenSize)));
      if (c) c.forEach((b, l) => b.set((state.c as Tensor).data.subarray(l * hiddenSize, (l + 1) * hiddenSize)));
    },
  };
}

function copyInto(src: FloatArray, dtype: DType, into?: FloatArray): FloatArray {
  const out = into ?? allocate(dtype, src.length);
  out.set(src);
  return out;
}

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
