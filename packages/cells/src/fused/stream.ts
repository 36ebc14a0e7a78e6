/**
 * Batch-1 streaming in WebAssembly (assembly/stream.ts): one job runs a time step through
 * every layer, reading the weights stored transposed in the kernels' memory and updating the
 * state there. Nothing is allocated per step.
 *
 * Where does a stream live? A stream whose step is large enough to split (H * G*H * layers >=
 * SPLIT_MACS, e.g. an LSTM of 128 units) into halves of whole 16-unit strips (H % 32 == 0) lives in the layer runner's shared-memory instance
 * when that one has two threads: its steps are jobs of the runner's team, so the helper thread
 * takes half of each step's hidden units whenever that has measured faster (team.ts decides by
 * timing, as for training). Its regions are freed once the stream and every view it handed out
 * are unreachable (a FinalizationRegistry on a lease that each view references). Any other
 * stream gets an instance of its own, one thread, laid out once so its memory never grows.
 * Either way the Float32Array views stay valid (a shared memory that grows keeps old views).
 */
import { Tensor } from '@loopflow/tensor';
import { CELL_KINDS, K_STREAM, MODE_PANELS, hasCellState } from '../kinds';
import { CellParams } from '../cells/operands';
import { StackStream, StackStreamArgs } from '../stack-stream';
import { fusedContext } from './context';
import { HeapRegions } from '@loopflow/tensor';
import { WasmHeap } from './heap';
import { FusedTeam, P } from './team';
import { createFusedInstance } from './wasm-module';

/** Multiply-adds of a step from which it is worth offering half of it to the helper thread. */
const SPLIT_MACS = 32768;

/** int32 words per layer in the streaming table (assembly/stream.ts STREAM_WORDS). */
const STREAM_WORDS = 11;

/** Frees a shared-instance stream's regions once nothing can reach them. */
const released = new FinalizationRegistry<HeapRegions>((regions) => regions.freeAll());
const LEASE = Symbol('loopflow.streamLease');

/**
 * A WebAssembly stream for a unidirectional float32 stack (the fused runner's `stream`), or
 * null to decline: another dtype, or the kernels are not available.
 */
export function fusedStream(args: StackStreamArgs): StackStream | null {
  if (args.dtype !== 'float32') return null;
  const { layers, inputSize, hiddenSize: H } = args;
  const cell = CELL_KINDS[args.kind];
  const { gates, diagonal } = cell;
  const width = gates * H;
  // W_hh^T as [H, 16] panels, read front to back, when the units fall in whole 16-unit strips.
  const panels = !diagonal && H % 16 === 0;
  const mode = cell.fused.mode | (panels ? MODE_PANELS : 0);
  const macs = layers * (diagonal ? 0 : H * width);

  let heap: WasmHeap;
  let team: FusedTeam;
  let shared = false;
  // Only a step that splits into two halves of whole 16-unit strips gains from the helper; any
  // other stream runs alone in an instance of its own (in the shared one it measured slower:
  // LSTM H=100, 7.5 us a step offered to two threads against 4.7 alone).
  const splittable = H % 32 === 0;
  const context = macs >= SPLIT_MACS && splittable ? fusedContext() : null;
  if (context && context.team.threads > 1) {
    heap = context.heap;
    team = context.team;
    shared = true;
  } else {
    const instance = createFusedInstance(false);
    if (!instance) return null;
    heap = new WasmHeap(instance.memory, instance.ex.heapBase() >>> 0);
    team = new FusedTeam(instance, heap);
  }

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
    hNext: number;
  }
  const owned = new HeapRegions(heap);
  const alloc = (bytes: number): number => owned.alloc(bytes);
  const regions: Layer[] = [];
  for (let l = 0; l < layers; l++) {
    const inputWidth = l === 0 ? inputSize : H;
    regions.push({
      inputWidth,
      wihT: alloc(inputWidth * width * 4),
      whh: alloc((diagonal ? H : H * width) * 4),
      bias: alloc(width * 4),
      biasRec: alloc(width * 4),
      h: alloc(H * 4),
      c: alloc(H * 4),
      part: alloc(width * 4),
      rec: alloc(width * 4),
      spare: alloc(H * 4),
      hNext: alloc(H * 4),
    });
  }
  const table = alloc(layers * STREAM_WORDS * 4);
  const input = alloc(inputSize * 4);
  const output = alloc(H * 4);
  // Views taken after the last allocation (an unshared memory that grows detaches older views;
  // a stream of its own never grows again, a shared one keeps these valid).
  const f32 = (): Float32Array => heap.f32;
  const i32 = heap.i32;
  for (const r of regions) for (const ptr of [r.h, r.c, r.hNext]) f32().fill(0, ptr >> 2, (ptr >> 2) + H);
  regions.forEach((r, l) => {
    const words = [r.inputWidth, r.wihT, r.whh, r.bias, r.biasRec, r.h, r.c, r.part, r.rec, r.spare, r.hNext];
    i32.set(words, (table >> 2) + l * STREAM_WORDS);
  });
  const lease = {};
  const view = (ptr: number, n: number): Float32Array => {
    const v = f32().subarray(ptr >> 2, (ptr >> 2) + n);
    Object.defineProperty(v, LEASE, { value: lease });
    return v;
  };
  if (shared) released.register(lease, owned);
  // Two work items per layer, halves of the hidden units on 16-unit strips (assembly/stream.ts):
  // measured against 4 and 8 items (more claims, each a cache line crossing cores: slower) and
  // against uneven halves (slower both ways) with an LSTM of 128 units.
  const split = shared ? H / 2 : 0;
  const job = team.prepare(K_STREAM, { BATCH: split, HIDDEN: H, STEPS: layers, MODE: mode, WEIGHTS: table, AUX0: cell.fused.stream, AUX1: -1, AUX2: input, OUT: output });

  function transposeInto(w: Tensor, ptr: number): void {
    const [rows, cols] = w.shape; // [G*H, K] -> [K, G*H]
    const src = w.data;
    const dst = f32();
    const o = ptr >> 2;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[o + c * rows + r] = src[r * cols + c];
  }

  /** W_hh `[G*H, H]` as panels: panel (s, g) = columns g*H + 16s .. +16 of W_hh^T, `[H, 16]`, in (s, g) order. */
  function packPanels(w: Tensor, ptr: number): void {
    const src = w.data;
    const dst = f32();
    let o = ptr >> 2;
    for (let s = 0; s < H / 16; s++) {
      for (let g = 0; g < gates; g++) {
        for (let k = 0; k < H; k++) {
          for (let c = 0; c < 16; c++) dst[o++] = src[(g * H + 16 * s + c) * H + k];
        }
      }
    }
  }

  return {
    h: regions.map((r) => view(r.h, H)),
    c: hasCellState(args.kind) ? regions.map((r) => view(r.c, H)) : null,
    output: view(output, H),
    input: view(input, inputSize),
    step(token: number): void {
      job[P.AUX1] = token;
      team.runPrepared(job, shared ? team.threadsFor(true, K_STREAM) : 1, macs);
    },
    load(params: CellParams[]): void {
      params.forEach((p, l) => {
        const r = regions[l];
        transposeInto(p.weightIh, r.wihT);
        if (diagonal) f32().set(p.weightHh.data, r.whh >> 2);
        else if (panels) packPanels(p.weightHh, r.whh);
        else transposeInto(p.weightHh, r.whh);
        const bias = f32().subarray(r.bias >> 2, (r.bias >> 2) + width);
        const biasRec = f32().subarray(r.biasRec >> 2, (r.biasRec >> 2) + width);
        bias.fill(0);
        biasRec.fill(0);
        if (p.biasIh) bias.set(p.biasIh.data);
        if (p.biasHh) {
          if (cell.fused.separateRecurrentBias) biasRec.set(p.biasHh.data);
          else for (let j = 0; j < width; j++) bias[j] += p.biasHh.data[j];
        }
      });
    },
  };
}
