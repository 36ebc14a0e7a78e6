import { DType, FloatArray, MatmulOptions, Tensor, allocate, getKernels } from '@loopflow/tensor';
import { CELL_KINDS, CellKind, hasCellState } from './kinds';
import { CellParams } from './cells/operands';

/** What a streamer asks for: a unidirectional stack of `layers` layers of one cell kind, batch 1. */
export interface StackStreamArgs {
  kind: CellKind;
  layers: number;
  inputSize: number;
  hiddenSize: number;
  /** The parameters' dtype (the buffers' too). */
  dtype: DType;
}

/**
 * What runs a streamer's steps: buffers that live as long as the stream, and a step that
 * reads `input` (or a one-hot token) and updates the state in place.
 */
export interface StackStream {
  /** Live state per layer: `h[l]` `[H]`, and `c[l]` `[H]` for an LSTM (else null). */
  readonly h: FloatArray[];
  readonly c: FloatArray[] | null;
  /** The input buffer `[inputSize]` that `step(-1)` reads. */
  readonly input: FloatArray;
  /** The last layer's h after each step `[H]`. */
  readonly output: FloatArray;
  /** Runs one step through every layer on `input` (`token` < 0) or on the one-hot `token`. */
  step(token: number): void;
  /** Copies the parameters (per layer, forward direction) into the stream's own weight buffers. */
  load(params: CellParams[]): void;
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

function copyInto(src: FloatArray, dtype: DType, into?: FloatArray): FloatArray {
  const out = into ?? allocate(dtype, src.length);
  out.set(src);
  return out;
}

function startWith(out: FloatArray, bias: FloatArray | null): void {
  if (bias) out.set(bias);
  else out.fill(0);
}

/**
 * The plain-loop stream (the reference of the fused one; float64, or when no runner offers a
 * stream): preallocated buffers of the parameters' dtype, the backend's matmul kernel for the
 * products and the cell's `units` step (the table of cell kinds) for the gates. Nothing is
 * allocated per step.
 */
export function referenceStream(args: StackStreamArgs): StackStream {
  const { dtype, hiddenSize: H, inputSize } = args;
  const cell = CELL_KINDS[args.kind];
  const width = cell.gates * H;
  const kernels = getKernels(dtype);
  const layers: StreamLayer[] = [];
  const h: FloatArray[] = [];
  const c: FloatArray[] | null = hasCellState(args.kind) ? [] : null;
  for (let l = 0; l < args.layers; l++) {
    h.push(allocate(dtype, H));
    c?.push(allocate(dtype, H));
  }
  const input = allocate(dtype, inputSize); // x copied in (it may be a plain array)
  const inputPart = allocate(dtype, width); // W_ih x + b_ih
  const recurrentPart = allocate(dtype, width); // W_hh h + b_hh
  const output = allocate(dtype, H);

  function recurrentAndUpdate(l: number): void {
    const layer = layers[l];
    const hl = h[l];
    startWith(recurrentPart, layer.biasHh);
    if (cell.diagonal) {
      for (let j = 0; j < H; j++) recurrentPart[j] += layer.recurrentWeight[j] * hl[j];
    } else {
      kernels.matmul(hl, layer.recurrentWeight, recurrentPart, 1, H, width, ACCUMULATE); // [1, H] @ [H, G*H]
    }
    cell.units(inputPart, recurrentPart, hl, c ? c[l] : null, H);
  }

  function project(l: number, x: FloatArray): void {
    const layer = layers[l];
    startWith(inputPart, layer.biasIh);
    kernels.matmul(x, layer.inputWeightT, inputPart, 1, layer.inputWidth, width, ACCUMULATE); // [1, K] @ [K, G*H]
  }

  return {
    h,
    c,
    input,
    output,
    step(token: number): void {
      if (token < 0) {
        project(0, input);
      } else {
        const layer = layers[0];
        const row = token * width; // row `token` of W_ih^T = column `token` of W_ih
        startWith(inputPart, layer.biasIh);
        for (let j = 0; j < width; j++) inputPart[j] += layer.inputWeightT[row + j];
      }
      recurrentAndUpdate(0);
      for (let l = 1; l < args.layers; l++) {
        project(l, h[l - 1]);
        recurrentAndUpdate(l);
      }
      output.set(h[args.layers - 1]);
    },
    load(params): void {
      params.forEach((p, l) => {
        const old = layers[l];
        layers[l] = {
          inputWidth: p.weightIh.shape[1],
          inputWeightT: transposed(p.weightIh, dtype, old?.inputWeightT),
          recurrentWeight: cell.diagonal ? copyInto(p.weightHh.data, dtype, old?.recurrentWeight) : transposed(p.weightHh, dtype, old?.recurrentWeight),
          biasIh: p.biasIh ? copyInto(p.biasIh.data, dtype, old?.biasIh ?? undefined) : null,
          biasHh: p.biasHh ? copyInto(p.biasHh.data, dtype, old?.biasHh ?? undefined) : null,
        };
      });
    },
  };
}
