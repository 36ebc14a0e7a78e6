import { Tensor } from '@loopflow/tensor';
import { CellKind } from '../config';
import { CellParams } from '../module';
import { WasmHeap } from './heap';
import { MODE_DIAGONAL, MODE_RELU, STREAM_KIND, STREAM_WORDS, createFusedInstance } from './wasm-module';

/**
 * Batch-1 streaming in WebAssembly (assembly/stream.ts): one `streamStep` call runs a time step
 * through every layer, reading the weights stored transposed in the instance's memory and
 * updating the state there. Each stream has its own instance, laid out once, so its memory never
 * grows and the Float32Array views of the state stay valid: nothing is allocated per step.
 */
export interface WasmStream {
  /** Live state per layer: `h[l]` `[H]`, `c[l]` `[H]` (LSTM, else null). Views into the instance's memory. */
  readonly h: Float32Array[];
  readonly c: Float32Array[] | null;
  /** The output buffer `[H]` (a copy of the last layer's h after each step). */
  readonly output: Float32Array;
  /** Runs one step on the input already in `input` (`token` < 0) or on a one-hot `token`. */
  step(token: number): void;
  /** The input buffer `[inputSize]` for `step(-1)`. */
  readonly input: Float32Array;
  /** Copies `params` (per layer, forward direction) into the stream's weight buffers. */
  load(params: CellParams[]): void;
}

/**
 * A WebAssembly stream for a unidirectional float32 stack, or null when the kernels are not
 * available or turned off (`LOOPFLOW_FUSED=0`).
 */
export function createWasmStream(kind: CellKind, layers: number, inputSize: number, hiddenSize: number): WasmStream | null {
  if (process.env['LOOPFLOW_FUSED'] === '0') return null;
  const instance = createFusedInstance(false);
  if (!instance) return null;
  const { ex } = instance;
  const heap = new WasmHeap(instance.memory, ex.heapBase() >>> 0);
  const H = hiddenSize;
  const family = kind === 'lstm' ? 'lstm' : kind === 'gru' ? 'gru' : 'rnn';
  const gates = family === 'lstm' ? 4 : family === 'gru' ? 3 : 1;
  const width = gates * H;
  const diagonal = kind === 'indrnn_relu' || kind === 'indrnn_tanh';
  const mode = (kind === 'rnn_relu' || kind === 'indrnn_relu' ? MODE_RELU : 0) | (diagonal ? MODE_DIAGONAL : 0);

  interface Layer {
    inputWidth: number;
    wihT: number;
    whh: number;
    bias: number;
    biasRec: number;
    h: number;
    c: number;
    part: number;
    rec: number;
    spare: number;
  }
  const regions: Layer[] = [];
  for (let l = 0; l < layers; l++) {
    const inputWidth = l === 0 ? inputSize : H;
    regions.push({
      inputWidth,
      wihT: heap.alloc(inputWidth * width * 4),
      whh: heap.alloc((diagonal ? H : H * width) * 4),
      bias: heap.alloc(width * 4),
      biasRec: heap.alloc(width * 4),
      h: heap.alloc(H * 4),
      c: heap.alloc(H * 4),
      part: heap.alloc(width * 4),
      rec: heap.alloc(width * 4),
      spare: heap.alloc(H * 4),
    });
  }
  const table = heap.alloc(layers * STREAM_WORDS * 4);
  const input = heap.alloc(inputSize * 4);
  const output = heap.alloc(H * 4);
  // Laid out: from here on the memory does not grow, so these views stay valid.
  const f32 = heap.f32;
  const i32 = heap.i32;
  regions.forEach((r, l) => {
    const words = [r.inputWidth, r.wihT, r.whh, r.bias, r.biasRec, r.h, r.c, r.part, r.rec, r.spare];
    i32.set(words, (table >> 2) + l * STREAM_WORDS);
  });
  const view = (ptr: number, n: number): Float32Array => f32.subarray(ptr >> 2, (ptr >> 2) + n);
  const kindCode = STREAM_KIND[family];
  const inputView = view(input, inputSize);
  const outputView = view(output, H);

  function transposeInto(w: Tensor, ptr: number): void {
    const [rows, cols] = w.shape; // [G*H, K] -> [K, G*H]
    const src = w.data;
    const o = ptr >> 2;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f32[o + c * rows + r] = src[r * cols + c];
  }

  return {
    h: regions.map((r) => view(r.h, H)),
    c: family === 'lstm' ? regions.map((r) => view(r.c, H)) : null,
    output: outputView,
    input: inputView,
    step(token: number): void {
      ex.streamStep(kindCode, mode, layers, H, table, token, input, output);
    },
    load(params: CellParams[]): void {
      params.forEach((p, l) => {
        const r = regions[l];
        transposeInto(p.weightIh, r.wihT);
        if (diagonal) f32.set(p.weightHh.data, r.whh >> 2);
        else transposeInto(p.weightHh, r.whh);
        const bias = view(r.bias, width);
        const biasRec = view(r.biasRec, width);
        bias.fill(0);
        biasRec.fill(0);
        if (p.biasIh) bias.set(p.biasIh.data);
        if (p.biasHh) {
          if (family === 'gru') biasRec.set(p.biasHh.data);
          else for (let j = 0; j < width; j++) bias[j] += p.biasHh.data[j];
        }
      });
    },
  };
}
