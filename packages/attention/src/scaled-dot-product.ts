import { ShapeError, Tensor, add, concat, fmtShape, matmul, mul, slice, softmax, squeeze, transpose, unsqueeze, zeros } from '@loopflow/tensor';
import { PreparedMask, chunkMask, prepareMask } from './masks';
import { fail } from './errors';
import { fusedAttention, kernelMasks } from './fused/fused-attention';
import { fusedKernelsFor } from './fused/path';

/** Options of `scaledDotProductAttention` (and of `multiHeadAttention`). */
export interface AttentionOptions {
  /**
   * Where each query may look: 1 = may attend, 0 = blocked. Broadcasts to `[B, heads, Tq, Tk]`
   * for 4-D inputs or `[B, Tq, Tk]` for 3-D inputs (e.g. `[Tq, Tk]` for one mask shared by all).
   */
  mask?: Tensor;
  /**
   * Key padding mask `[B, Tk]`: 1 for real keys, 0 for padding (see `paddingMask(lengths, T)`).
   * Combined with `mask` and `causal`.
   */
  keyMask?: Tensor;
  /** Query i attends only to keys j <= i (the upper triangle is -Infinity). Default false. */
  causal?: boolean;
  /**
   * Key position of the first query (default 0): the Tq queries stand at key positions
   * `queryOffset .. queryOffset + Tq - 1`, so with `causal` query i attends to keys
   * j <= queryOffset + i. Pass it when q holds only the last queries of a sequence whose keys
   * are all in k (e.g. `Tk - Tq` for the last Tq positions): the result equals rows
   * `queryOffset..` of the call with every query, at a fraction of the cost. A whole number
   * >= 0; with `causal` and an offset above 0, `queryOffset + Tq <= Tk`. Without `causal` it
   * changes nothing. `mask` keeps its shape `[.., Tq, Tk]` (rows are the queries given).
   */
  queryOffset?: number;
  /**
   * Queries handled per block. Each block builds only its `[B, heads, chunk, Tk]` score matrix,
   * and with `causal` only against the keys it can see (about half of the T^2 work and memory).
   * Default: all queries at once up to 256, blocks of 128 beyond.
   */
  queryChunk?: number;
  /** Return the attention probabilities (default true); `false` saves a `[B, heads, Tq, Tk]` copy when chunked. */
  returnWeights?: boolean;
}

/** The result of attention: the output and (unless `returnWeights: false`) the softmax weights. */
export interface AttentionResult {
  /** `[B, heads, Tq, dv]` (or `[B, Tq, dv]` for 3-D inputs). */
  output: Tensor;
  /** `[B, heads, Tq, Tk]` (or `[B, Tq, Tk]`): each row sums to 1, or is all 0 when fully masked. Null with `returnWeights: false`. */
  weights: Tensor | null;
}

/** Queries per block when `queryChunk` is not given. */
export function defaultQueryChunk(queries: number): number {
  return queries <= 256 ? queries : 128;
}

/**
 * Checks a query offset (see `AttentionOptions.queryOffset`) for `queries` queries against
 * `keys` keys; returns it (0 when not given).
 */
export function checkQueryOffset(where: string, offset: number | undefined, queries: number, keys: number, causal: boolean): number {
  if (offset === undefined) return 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    fail('INVALID_ARGUMENT', `${where}: queryOffset = ${String(offset)}; expected a whole number >= 0 (the key position of the first query)`);
  }
  if (causal && offset > 0 && offset + queries > keys) {
    fail(
      'INVALID_ARGUMENT',
      `${where}: queryOffset ${offset} with ${queries} queries puts the last query at key position ${offset + queries - 1}, but there are only ${keys} keys; ` +
        `expected queryOffset + Tq <= Tk (the last ${queries} of ${keys} positions: queryOffset ${keys - queries})`,
    );
  }
  return offset;
}

function checkInputs(q: Tensor, k: Tensor, v: Tensor): void {
  const where = 'scaledDotProductAttention';
  const show = `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`;
  if (q.ndim !== k.ndim || q.ndim !== v.ndim || (q.ndim !== 3 && q.ndim !== 4)) {
    throw new ShapeError(`${where}: ${show}; expected all three [B, heads, T, dh] or all three [B, T, d]`);
  }
  const lead = q.ndim - 2;
  for (let i = 0; i < lead; i++) {
    if (k.shape[i] !== q.shape[i] || v.shape[i] !== q.shape[i]) {
      throw new ShapeError(`${where}: ${show}; the batch${lead === 2 ? ' and head' : ''} sizes must be equal`);
    }
  }
  if (k.shape[lead + 1] !== q.shape[lead + 1]) {
    throw new ShapeError(`${where}: ${show}; q and k must have the same feature size (last dimension)`);
  }
  if (v.shape[lead] !== k.shape[lead]) {
    throw new ShapeError(`${where}: ${show}; k and v must have the same number of positions`);
  }
  if (q.shape[lead] < 1 || k.shape[lead] < 1) {
    throw new ShapeError(`${where}: ${show}; expected at least one query and one key`);
  }
}

/**
 * Scaled dot-product attention `softmax(q k^T / sqrt(dk) + mask) v`, composed from tensor
 * primitives (matmul, add, softmax), so autograd differentiates it.
 *
 * Shapes: q `[B, heads, Tq, dk]`, k `[B, heads, Tk, dk]`, v `[B, heads, Tk, dv]` give output
 * `[B, heads, Tq, dv]` and weights `[B, heads, Tq, Tk]`; 3-D inputs `[B, T, d]` work the same
 * with one head. Blocked scores (causal upper triangle, padded keys, zeros of `mask`) become
 * -Infinity; a query row with no allowed key gets weights 0 and output 0 (never NaN).
 *
 * Memory: the score matrix holds B * heads * Tq * Tk numbers (O(T^2) per head), and training
 * keeps about three of them per call for the backward pass. `queryChunk` bounds the part
 * built at once (under `noGrad` that bounds the peak); with `causal` it also skips the keys
 * above the diagonal.
 *
 * `queryOffset` places the queries at key positions `queryOffset..`: the last queries of a
 * causal sequence against all its keys (what a model that reads only its last outputs needs
 * in its last layer), equal to those rows of the full call.
 *
 * @example
 * const { output, weights } = scaledDotProductAttention(q, k, v, { causal: true });
 * // q, k, v [2, 4, 16, 8] -> output [2, 4, 16, 8], weights [2, 4, 16, 16]
 * const last = scaledDotProductAttention(slice(q, 2, 15), k, v, { causal: true, queryOffset: 15 });
 * // the last query only: output [2, 4, 1, 8] = rows 15.. of the output above
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options?: AttentionOptions & { returnWeights?: true }): { output: Tensor; weights: Tensor };
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions): AttentionResult;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionResult {
  checkInputs(q, k, v);
  if (q.ndim === 3) {
    const mask = options.mask ? unsqueezeMask3d(options.mask) : undefined;
    const r = scaledDotProductAttention(unsqueeze(q, 1), unsqueeze(k, 1), unsqueeze(v, 1), { ...options, mask });
    return { output: squeeze(r.output, 1), weights: r.weights ? squeeze(r.weights, 1) : null };
  }
  const [B, H, Tq, dk] = q.shape;
  const Tk = k.shape[2];
  const causal = options.causal ?? false;
  const queryOffset = checkQueryOffset('scaledDotProductAttention', options.queryOffset, Tq, Tk, causal);
  const returnWeights = options.returnWeights ?? true;
  const chunk = options.queryChunk ?? defaultQueryChunk(Tq);
  if (!Number.isInteger(chunk) || chunk < 1) fail('INVALID_ARGUMENT', `scaledDotProductAttention: queryChunk = ${chunk}; expected a positive integer`);
  const keyMask = options.keyMask ?? null;
  if (keyMask && (keyMask.ndim !== 2 || keyMask.shape[0] !== B || keyMask.shape[1] !== Tk)) {
    throw new ShapeError(`scaledDotProductAttention: keyMask of shape ${fmtShape(keyMask.shape)}; expected [${B}, ${Tk}] ([B, Tk]: 1 for real keys, 0 for padding)`);
  }
  const mask: PreparedMask | null = options.mask
    ? prepareMask('scaledDotProductAttention', options.mask, [B, H, Tq, Tk], '[B, heads, Tq, Tk]')
    : null;

  const kernels = fusedKernelsFor('scaledDotProductAttention', [q, k, v], returnWeights);
  if (kernels) {
    // One fused node: tiled, online softmax, no [Tq, Tk] matrix kept (see fused/fused-attention.ts).
    const dv = v.shape[3];
    const dense = (T: number, d: number) => ({ batch: H * T * d, head: T * d, row: d });
    const output = fusedAttention(kernels, {
      sources: [q, k, v],
      q: { source: 0, offset: 0, ...dense(Tq, dk) },
      k: { source: 1, offset: 0, ...dense(Tk, dk) },
      v: { source: 2, offset: 0, ...dense(Tk, dv) },
      batch: B, heads: H, queries: Tq, keys: Tk, keyDim: dk, valueDim: dv, causal, queryOffset,
      ...kernelMasks(keyMask, mask, Tq, Tk),
      outShape: [B, H, Tq, dv],
      out: dense(Tq, dv),
    }); // [B, H, Tq, dv]
    return { output, weights: null };
  }

  const scaled = mul(q, 1 / Math.sqrt(dk)); // [B, H, Tq, dk]
  const outputs: Tensor[] = [];
  const weights: Tensor[] = [];
  for (let start = 0; start < Tq; start += chunk) {
    const end = Math.min(start + chunk, Tq);
    const kEnd = causal ? Math.min(queryOffset + end, Tk) : Tk; // a causal block sees keys [0, queryOffset + end) only
    const qc = slice(scaled, 2, start, end); // [B, H, C, dk]
    const kc = slice(k, 2, 0, kEnd); // [B, H, kEnd, dk]
    const vc = slice(v, 2, 0, kEnd); // [B, H, kEnd, dv]
    let scores = matmul(qc, transpose(kc)); // [B, H, C, kEnd]
    const { bias, rowValid } = chunkMask(q.dtype, B, H, Tk, start, end, kEnd, causal, keyMask, mask, queryOffset);
    if (bias) scores = add(scores, bias); // -Infinity where blocked
    let w = softmax(scores, -1); // [B, H, C, kEnd]
    if (rowValid) w = mul(w, rowValid); // fully masked rows: weights 0, gradient 0
    outputs.push(matmul(w, vc)); // [B, H, C, dv]
    if (returnWeights) weights.push(kEnd < Tk ? concat([w, zeros([B, H, end - start, Tk - kEnd], { dtype: q.dtype })], 3) : w);
  }
  return {
    output: outputs.length === 1 ? outputs[0] : concat(outputs, 2),
    weights: returnWeights ? (weights.length === 1 ? weights[0] : concat(weights, 2)) : null,
  };
}

/** A 3-D-mode mask (broadcasting to [B, Tq, Tk]) as a 4-D one with a head axis of 1. */
function unsqueezeMask3d(mask: Tensor): Tensor {
  if (mask.ndim > 3) {
    throw new ShapeError(`scaledDotProductAttention: mask of shape ${fmtShape(mask.shape)} for 3-D inputs; expected a shape that broadcasts to [B, Tq, Tk]`);
  }
  return mask.ndim === 3 ? unsqueeze(mask.detach(), 1) : mask;
}
