import { Tensor, isGradEnabled, record } from '@loopflow/tensor';
import { LayerDirectionResult } from '../layer-direction';
import { LayerRunnerArgs } from '../layer-runner';
import { OutputGrads, isMemoryError, runBackward, runForward } from './calls';
import { fusedContext } from './context';
import { planFor } from './plan';
import { fusedStream } from './stream';
import { Tape } from './tape';

/**
 * The fused layer runner (see `setLayerRunner`): one layer and direction of an RNN, LSTM, GRU
 * or IndRNN over all T steps in two WebAssembly calls (forward, and backward when gradients
 * flow; without gradients the forward keeps no tape for a backward), recorded as one autograd node over `[xProjected, h0, (c0), W_hh, (b_hh)]` (the
 * outputs are views on it that hand their gradients to that node). Declines
 * (returns null, so the composed path runs) for float64, for shapes that do not fit, when the
 * kernels are not built, or when WebAssembly memory cannot hold the sequence. Given the
 * layer's dense input (`args.input`), the call also does the input projection, one product
 * over all T*B rows inside the forward kernel, and its gradients (dW_ih, db_ih, and dx when the
 * input needs one) in the backward kernel: the node is then over
 * `[input, h0, (c0), W_hh, (b_hh), W_ih, (b_ih)]`. Its `stream`
 * gives `createStreamer` a WebAssembly stream (fused/stream.ts) on the same terms.
 *
 * @example
 * setLayerRunner(fusedLayerRunner); // installed by default when @loopflow/cells is imported
 * runRecurrent(lstm, x).output.backward(gradOutput);
 */
export function fusedLayerRunner(args: LayerRunnerArgs): LayerDirectionResult | null {
  const plan = planFor(args);
  if (!plan) return null;
  const ctx = fusedContext();
  if (!ctx) return null;
  // A dense input is projected in the call (plan.input > 0): the node then takes the input and
  // W_ih, b_ih in place of the projected input (`args.xProjected` is never read: no product).
  const dense = plan.input > 0;
  const inputs: Tensor[] = [dense ? (args.input as Tensor) : args.xProjected, args.h0];
  if (args.c0) inputs.push(args.c0);
  inputs.push(args.weights.weightHh);
  if (args.weights.biasHh) inputs.push(args.weights.biasHh);
  if (dense) {
    inputs.push(args.weights.weightIh);
    if (args.weights.biasIh) inputs.push(args.weights.biasIh);
  }
  const needsGrad = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  const withLengths = args.lengths !== null;

  let tape: Tape;
  let packed: Float32Array;
  try {
    // Without gradients no backward follows: a forward-only tape (the state in two slots, no
    // activations kept), with the same outputs.
    tape = ctx.pool.allocate(plan, withLengths, !needsGrad);
  } catch (err) {
    if (isMemoryError(err)) return null;
    throw err;
  }
  try {
    packed = runForward(ctx, plan, args, tape);
  } catch (err) {
    ctx.pool.release(tape);
    if (isMemoryError(err)) return null;
    throw err;
  }

  const { steps, batch, hidden } = plan;
  const { carriesC } = plan;
  const outFloats = steps * batch * hidden;
  const stateFloats = batch * hidden;
  if (!needsGrad) {
    ctx.pool.release(tape);
    return {
      output: new Tensor(packed.subarray(0, outFloats), [steps, batch, hidden]),
      h: new Tensor(packed.subarray(outFloats, outFloats + stateFloats), [batch, hidden]),
      c: carriesC ? new Tensor(packed.subarray(outFloats + stateFloats), [batch, hidden]) : null,
    };
  }

  ctx.pool.keep(tape);
  let current = tape;
  // One node runs the backward kernel for the whole call. Its output is a one-element anchor;
  // the outputs (views of `packed`, no copies) are recorded on the anchor: each passes its
  // incoming gradient to the node through `received` and returns 2^i as the anchor's gradient,
  // so the anchor's gradient is the mask of the outputs that got one in this backward pass
  // (stale entries from an interrupted pass are ignored).
  const received: OutputGrads = [null, null, null];
  const anchor = record(`${plan.kind}_fused`, inputs, new Tensor(new Float32Array(1), [1]), (g) => {
    const mask = Math.round(g.data[0]);
    const grads: OutputGrads = [mask & 1 ? received[0] : null, mask & 2 ? received[1] : null, mask & 4 ? received[2] : null];
    received.fill(null);
    if (!current.alive) {
      // Consumed by an earlier backward, or evicted: recompute the tape from the inputs.
      current = ctx.pool.allocate(plan, withLengths);
      try {
        runForward(ctx, plan, args, current);
      } catch (err) {
        ctx.pool.release(current);
        throw err;
      }
    }
    try {
      return runBackward(ctx, plan, args, current, grads, inputs);
    } finally {
      ctx.pool.release(current); // backward overwrote the activations with gradients
    }
  });
  const piece = (i: number, data: Float32Array, shape: number[]): Tensor =>
    record(`${plan.kind}_fused_output`, [anchor], new Tensor(data, shape), (g) => {
      received[i] = g;
      return [new Tensor(Float32Array.of(2 ** i), [1])];
    });
  return {
    output: piece(0, packed.subarray(0, outFloats), [steps, batch, hidden]),
    h: piece(1, packed.subarray(outFloats, outFloats + stateFloats), [batch, hidden]),
    c: carriesC ? piece(2, packed.subarray(outFloats + stateFloats), [batch, hidden]) : null,
  };
}

fusedLayerRunner.stream = fusedStream;
