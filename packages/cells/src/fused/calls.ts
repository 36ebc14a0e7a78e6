/**
 * The fused kernels' calls: copy the operands of one layer-direction call into WebAssembly
 * memory, run the forward or backward job, copy the results out.
 */
import { LoopflowError, Tensor } from '@loopflow/tensor';
import { LayerRunnerArgs } from '../layer-runner';
import { FusedContext } from './context';
import { HeapRegions } from '@loopflow/tensor';
import { FusedPlan, callWork, isParallel } from './plan';
import { Tape } from './tape';


/** Whether `err` says WebAssembly memory could not grow (the call is then declined). */
export function isMemoryError(err: unknown): boolean {
  return err instanceof LoopflowError && err.code === 'FUSED_WASM_MEMORY';
}

/**
 * Runs the forward kernel into `tape` (allocated for `plan`); returns the outputs packed as
 * `[T + S, B, H]`: the T outputs, then the final h (and c for an LSTM). With a dense input
 * (`plan.input` > 0) the input is written into the tape once and the kernel projects it;
 * else the projected input is written into the activations' buffer. On a forward-only tape
 * (`tape.forwardOnly`) the kernel keeps no tape for backward (P_NO_TAPE); the outputs are the same.
 */
export function runForward(ctx: FusedContext, plan: FusedPlan, args: LayerRunnerArgs, tape: Tape): Float32Array {
  const { ex, heap } = ctx;
  const { steps, batch, hidden, width } = plan;
  const stateFloats = batch * hidden;
  const outFloats = steps * stateFloats;
  const { carriesC } = plan;
  const regions = new HeapRegions(heap);
  try {
    const out = regions.alloc(outFloats * 4);
    const h = regions.alloc(stateFloats * 4);
    const c = carriesC ? regions.alloc(stateFloats * 4) : 0;
    const bhh = regions.alloc(width * 4);
    const { weightIh, biasIh } = args.weights;
    const bih = plan.input > 0 && biasIh ? regions.alloc(width * 4) : 0;
    const kernel = plan.kernels.forward;
    const threads = ctx.team.threadsFor(isParallel(plan), kernel);
    const scratch = regions.alloc(ex.scratchBytes(kernel, steps, batch, hidden, plan.kernels.mode, threads, plan.input) >>> 0);

    const f32 = heap.f32;
    if (plan.input > 0) {
      f32.set((args.input as Tensor).data, tape.x >> 2); // [T, B, I]
      f32.set(weightIh.data, tape.wih >> 2);
      if (biasIh) f32.set(biasIh.data, bih >> 2);
    } else {
      f32.set(args.xProjected.data, tape.acts >> 2);
    }
    f32.set(args.weights.weightHh.data, tape.whh >> 2);
    if (args.weights.biasHh) f32.set(args.weights.biasHh.data, bhh >> 2);
    else f32.fill(0, bhh >> 2, (bhh >> 2) + width);
    f32.set(args.h0.data, h >> 2);
    if (carriesC) f32.set((args.c0 as Tensor).data, c >> 2);
    if (tape.lengths) heap.i32.set(args.lengths as number[], tape.lengths >> 2);
    const [a0, a1, a2] = tape.aux;
    ctx.team.run(kernel, {
      STEPS: steps, BATCH: batch, HIDDEN: hidden, REVERSE: args.reverse ? 1 : 0, MODE: plan.kernels.mode, LENGTHS: tape.lengths,
      WHH: tape.whh, BHH: bhh, ACTS: tape.acts, AUX0: a0, AUX1: a1, AUX2: a2, OUT: out, H: h, C: c, SCRATCH: scratch,
      X: tape.x, INPUT: plan.input, WIH: tape.wih, BIH: bih, NO_TAPE: tape.forwardOnly ? 1 : 0,
    }, threads, callWork(plan));

    const view = heap.f32;
    const packed = new Float32Array(outFloats + (carriesC ? 2 : 1) * stateFloats);
    packed.set(view.subarray(out >> 2, (out >> 2) + outFloats));
    packed.set(view.subarray(h >> 2, (h >> 2) + stateFloats), outFloats);
    if (carriesC) packed.set(view.subarray(c >> 2, (c >> 2) + stateFloats), outFloats + stateFloats);
    return packed;
  } finally {
    regions.freeAll();
  }
}

/** Gradients of the outputs of one call: of the outputs `[T, B, H]`, the final h and c `[B, H]` (null = zero). */
export type OutputGrads = [Tensor | null, Tensor | null, Tensor | null];

/**
 * Runs the backward kernel on `tape` with the gradients of the outputs; returns the gradients
 * of the node's inputs (`nodeInputs`: `[xProjected or the dense input, h0, (c0), W_hh, (b_hh)]`,
 * then `W_ih, (b_ih)` for a dense input), in that order. dx, dW_ih and db_ih of a dense input
 * are computed in the kernel only when wanted.
 */
export function runBackward(ctx: FusedContext, plan: FusedPlan, args: LayerRunnerArgs, tape: Tape, outputGrads: OutputGrads, inputs: readonly Tensor[]): (Tensor | null)[] {
  if (tape.forwardOnly) throw new LoopflowError('FUSED_FORWARD_ONLY_TAPE', `${plan.kind} fused backward: the tape was made by a forward pass without gradients (forward only), which keeps no activations; run the forward with gradients enabled`);
  const { ex, heap } = ctx;
  const { steps, batch, hidden, width } = plan;
  const stateFloats = batch * hidden;
  const outFloats = steps * stateFloats;
  const { carriesC } = plan;
  const whh = args.weights.weightHh;
  const bhhTensor = args.weights.biasHh;
  const weights = whh.requiresGrad || (bhhTensor !== null && bhhTensor.requiresGrad);
  const whhFloats = plan.diagonal ? hidden : width * hidden;
  const { weightIh, biasIh } = args.weights;
  const dense = plan.input > 0;
  const wantDx = dense && (args.input as Tensor).requiresGrad;
  const wantWih = dense && (weightIh.requiresGrad || (biasIh !== null && biasIh.requiresGrad));
  const inputFloats = steps * batch * plan.input;
  const regions = new HeapRegions(heap);
  try {
    const dout = regions.alloc(outFloats * 4);
    const dh = regions.alloc(stateFloats * 4);
    const dc = carriesC ? regions.alloc(stateFloats * 4) : 0;
    const dwhh = regions.alloc(whhFloats * 4);
    const dbhh = regions.alloc(width * 4);
    const dx = wantDx ? regions.alloc(inputFloats * 4) : 0;
    const dwih = wantWih ? regions.alloc(width * plan.input * 4) : 0;
    const dbih = wantWih ? regions.alloc(width * 4) : 0;
    const kernel = plan.kernels.backward;
    const threads = ctx.team.threadsFor(isParallel(plan), kernel);
    const scratch = regions.alloc(ex.scratchBytes(kernel, steps, batch, hidden, plan.kernels.mode, threads, plan.input) >>> 0);

    const f32 = heap.f32;
    const put = (g: Tensor | null, ptr: number, floats: number): void => {
      if (g) f32.set(g.data, ptr >> 2);
      else f32.fill(0, ptr >> 2, (ptr >> 2) + floats);
    };
    put(outputGrads[0], dout, outFloats);
    put(outputGrads[1], dh, stateFloats);
    if (carriesC) put(outputGrads[2], dc, stateFloats);
    const [a0, a1, a2] = tape.aux;
    ctx.team.run(kernel, {
      STEPS: steps, BATCH: batch, HIDDEN: hidden, REVERSE: args.reverse ? 1 : 0, MODE: plan.kernels.mode, LENGTHS: tape.lengths,
      WEIGHTS: weights ? 1 : 0, WHH: tape.whh, ACTS: tape.acts, AUX0: a0, AUX1: a1, AUX2: a2, DOUT: dout, DH: dh, DC: dc,
      DWHH: dwhh, DBHH: dbhh, SCRATCH: scratch, X: tape.x, INPUT: plan.input, WIH: tape.wih, DX: dx, DWIH: dwih, DBIH: dbih,
    }, threads, callWork(plan));

    const view = heap.f32;
    const take = (ptr: number, floats: number, shape: readonly number[]): Tensor =>
      new Tensor(view.slice(ptr >> 2, (ptr >> 2) + floats), shape);
    // Where each input's gradient is, in the order of the node's inputs.
    const sources: [number, number][] = [dense ? [dx, inputFloats] : [tape.acts, steps * batch * width], [dh, stateFloats]];
    if (carriesC) sources.push([dc, stateFloats]);
    sources.push([dwhh, whhFloats]);
    if (bhhTensor) sources.push([dbhh, width]);
    if (dense) {
      sources.push([dwih, width * plan.input]);
      if (biasIh) sources.push([dbih, width]);
    }
    return inputs.map((input, i) => (input.requiresGrad ? take(sources[i][0], sources[i][1], input.shape) : null));
  } finally {
    regions.freeAll();
  }
}
