import { Tensor, record } from '@loopflow/tensor';
import { AttentionKernels, K_BACKWARD, K_FORWARD, P } from './kernels';

/**
 * Scaled dot-product attention as one autograd node on the fused WebAssembly kernels
 * (assembly/flash.ts): the forward pass keeps only the output and one log-sum-exp per query
 * row; the backward pass recomputes the scores tile by tile. Memory linear in T.
 */

/** Where one operand (q, k or v) lies in one of the node's source tensors: element offset and strides. */
export interface OperandLayout {
  /** Index of the source tensor that holds it. */
  readonly source: number;
  /** Element offset of (batch 0, head 0, position 0, feature 0). */
  readonly offset: number;
  /** Element strides of batch, head and position (features are contiguous). */
  readonly batch: number;
  readonly head: number;
  readonly row: number;
}

/** A mask for the kernel: bytes (1 = may attend) `[1|B, 1|H, Tq, Tk]` with element strides of batch and head (0 = shared). */
export interface KernelMask {
  readonly data: Uint8Array;
  readonly batchStride: number;
  readonly headStride: number;
}

/**
 * The masks of a call in the kernel's form: `keyMask [B, Tk]` as bytes, and a mask prepared by
 * `prepareMask` (`[1|B, 1|H, Tq, Tk]`) as bytes with its batch and head strides.
 */
export function kernelMasks(
  keyMask: Tensor | null,
  mask: { batch: number; heads: number; data: ArrayLike<number> } | null,
  queries: number,
  keys: number,
): { keyMask: Uint8Array | null; mask: KernelMask | null } {
  const bytes = (data: ArrayLike<number>): Uint8Array => {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0;
    return out;
  };
  return {
    keyMask: keyMask ? bytes(keyMask.data) : null,
    mask: mask
      ? { data: bytes(mask.data), batchStride: mask.batch > 1 ? mask.heads * queries * keys : 0, headStride: mask.heads > 1 ? queries * keys : 0 }
      : null,
  };
}

/** One fused attention call. */
export interface FusedAttentionCall {
  /** The float32 tensors that hold q, k and v (one tensor may hold several of them). */
  readonly sources: readonly Tensor[];
  readonly q: OperandLayout;
  readonly k: OperandLayout;
  readonly v: OperandLayout;
  readonly batch: number;
  readonly heads: number;
  readonly queries: number;
  readonly keys: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly causal: boolean;
  /** Key position of query 0 (`causal`: query i sees keys j <= queryOffset + i); 0 = the queries are the first positions. */
  readonly queryOffset: number;
  /** `[B * Tk]` bytes, 0 = padding; or null. */
  readonly keyMask: Uint8Array | null;
  readonly mask: KernelMask | null;
  /** Shape of the output and the element strides of its batch, head and position (offset 0, dense). */
  readonly outShape: readonly number[];
  readonly out: { readonly batch: number; readonly head: number; readonly row: number };
}

/** Copies the masks into the heap regions `at` (keyMask, mask); returns their pointers (0 = none). */
function placeMasks(k: AttentionKernels, call: FusedAttentionCall, keyAt: number, maskAt: number): [number, number] {
  const bytes = new Uint8Array(k.memory.buffer);
  if (call.keyMask) bytes.set(call.keyMask, keyAt);
  if (call.mask) bytes.set(call.mask.data, maskAt);
  return [call.keyMask ? keyAt : 0, call.mask ? maskAt : 0];
}

/** Writes the words every job shares. */
function commonWords(w: Int32Array, call: FusedAttentionCall, scratch: number, scratchBytes: number, keyMask: number, mask: number, sources: number[]): void {
  w[P.HEADS] = call.heads;
  w[P.TQ] = call.queries;
  w[P.TK] = call.keys;
  w[P.DK] = call.keyDim;
  w[P.DV] = call.valueDim;
  w[P.CAUSAL] = call.causal ? 1 : 0;
  w[P.QUERY_OFFSET] = call.queryOffset;
  w[P.Q] = sources[call.q.source] + call.q.offset * 4;
  w[P.K] = sources[call.k.source] + call.k.offset * 4;
  w[P.V] = sources[call.v.source] + call.v.offset * 4;
  w[P.KEY_MASK] = keyMask;
  w[P.MASK] = mask;
  w[P.MASK_B] = call.mask ? call.mask.batchStride : 0;
  w[P.MASK_H] = call.mask ? call.mask.headStride : 0;
  new Float32Array(w.buffer, w.byteOffset + P.SCALE * 4, 1)[0] = 1 / Math.sqrt(call.keyDim);
  w[P.SCRATCH] = scratch;
  w[P.SCRATCH_BYTES] = scratchBytes;
  const layouts = [call.q, call.k, call.v, call.out];
  layouts.forEach((l, i) => {
    w[P.STRIDES + 3 * i] = l.batch;
    w[P.STRIDES + 3 * i + 1] = l.head;
    w[P.STRIDES + 3 * i + 2] = l.row;
  });
}

/**
 * Multiply-adds of one pass (for the thread decision): about Tq * Tk * (dk + dv) per item; with
 * causal, query i sees min(queryOffset + i + 1, Tk) keys.
 */
function workOf(call: FusedAttentionCall): number {
  const Tq = call.queries;
  const pairs = call.causal ? Math.min(Tq * (call.queryOffset + (Tq + 1) / 2), Tq * call.keys) : Tq * call.keys;
  return call.batch * call.heads * pairs * (call.keyDim + call.valueDim);
}

/**
 * Runs the fused attention forward pass and records one autograd node whose backward pass
 * runs the fused backward kernel, giving the gradients of every source tensor that needs one.
 *
 * @example
 * const out = fusedAttention(kernels, { sources: [q, k, v], q: {...}, ... }); // [B, H, Tq, dv]
 */
export function fusedAttention(kernels: AttentionKernels, call: FusedAttentionCall): Tensor {
  const { batch: B, heads: H, queries: Tq, keys: Tk, keyDim: dk, valueDim: dv } = call;
  const items = B * H;
  const outSize = call.outShape.reduce((a, b) => a * b, 1);
  const threads = kernels.threadsFor(items, workOf(call));
  const ex = kernels.ex;
  const scratchForward = ex.scratchBytes(Tq, Tk, dk, dv, 0) >>> 0;
  const heap = kernels.heap;
  const regions = heap.scratch([
    ...call.sources.map((s) => s.size * 4),
    outSize * 4, // output
    items * Tq * 4, // lse
    call.keyMask ? call.keyMask.length : 0,
    call.mask ? call.mask.data.length : 0,
    scratchForward * threads,
  ]);
  const n = call.sources.length;
  const sourceAt = regions.slice(0, n);
  const [outAt, lseAt, keyAt, maskAt, scratchAt] = regions.slice(n);
  const f32 = heap.f32;
  call.sources.forEach((s, i) => f32.set(s.data, sourceAt[i] >> 2));
  const [keyMask, mask] = placeMasks(kernels, call, keyAt, maskAt);
  kernels.run((w) => {
    w[P.KERNEL] = K_FORWARD;
    commonWords(w, call, scratchAt, scratchForward, keyMask, mask, sourceAt);
    w[P.O] = outAt;
    w[P.LSE] = lseAt;
  }, items, threads);
  const view = heap.f32;
  const outData = view.slice(outAt >> 2, (outAt >> 2) + outSize);
  const lse = view.slice(lseAt >> 2, (lseAt >> 2) + items * Tq);
  const output = new Tensor(outData, call.outShape);
  return record('fusedAttention', call.sources, output, (g) => fusedBackward(kernels, call, outData, lse, g));
}

function fusedBackward(kernels: AttentionKernels, call: FusedAttentionCall, outData: Float32Array, lse: Float32Array, g: Tensor): (Tensor | null)[] {
  const { batch: B, heads: H, queries: Tq, keys: Tk, keyDim: dk, valueDim: dv } = call;
  const items = B * H;
  const threads = kernels.threadsFor(items, 2.5 * workOf(call));
  const scratchBackward = kernels.ex.scratchBytes(Tq, Tk, dk, dv, 1) >>> 0;
  const heap = kernels.heap;
  const n = call.sources.length;
  const regions = heap.scratch([
    ...call.sources.map((s) => s.size * 4), // the sources
    ...call.sources.map((s) => s.size * 4), // their gradients
    outData.length * 4, // output
    outData.length * 4, // its gradient
    lse.length * 4,
    call.keyMask ? call.keyMask.length : 0,
    call.mask ? call.mask.data.length : 0,
    scratchBackward * threads,
  ]);
  const sourceAt = regions.slice(0, n);
  const gradAt = regions.slice(n, 2 * n);
  const [outAt, doutAt, lseAt, keyAt, maskAt, scratchAt] = regions.slice(2 * n);
  const f32 = heap.f32;
  // Elements of each source that the operands cover (their layouts never overlap): when they
  // cover all of it, the kernel writes every gradient element and no zeroing is needed.
  const covered = call.sources.map(() => 0);
  covered[call.q.source] += B * H * Tq * dk;
  covered[call.k.source] += B * H * Tk * dk;
  covered[call.v.source] += B * H * Tk * dv;
  call.sources.forEach((s, i) => {
    f32.set(s.data, sourceAt[i] >> 2);
    if (covered[i] !== s.size) f32.fill(0, gradAt[i] >> 2, (gradAt[i] >> 2) + s.size); // parts no operand covers get 0
  });
  f32.set(outData, outAt >> 2);
  f32.set(g.data, doutAt >> 2);
  f32.set(lse, lseAt >> 2);
  const [keyMask, mask] = placeMasks(kernels, call, keyAt, maskAt);
  kernels.run((w) => {
    w[P.KERNEL] = K_BACKWARD;
    commonWords(w, call, scratchAt, scratchBackward, keyMask, mask, sourceAt);
    w[P.O] = outAt;
    w[P.LSE] = lseAt;
    w[P.DOUT] = doutAt;
    w[P.DQ] = gradAt[call.q.source] + call.q.offset * 4;
    w[P.DK_] = gradAt[call.k.source] + call.k.offset * 4;
    w[P.DV_] = gradAt[call.v.source] + call.v.offset * 4;
  }, items, threads);
  const view = heap.f32;
  return call.sources.map((s, i) =>
    s.requiresGrad ? new Tensor(view.slice(gradAt[i] >> 2, (gradAt[i] >> 2) + s.size), s.shape) : null,
  );
}
