/**
 * Masks say where attention may look: **1 = may attend, 0 = blocked** (the convention of
 * every mask in this package). Blocked scores become -Infinity before the softmax.
 */
import { DType, ShapeError, Tensor, allocate, expandData, fmtShape, reshape } from '@loopflow/tensor';
import { checkPositiveInt, fail } from './errors';

/**
 * The causal mask `[length, length]`: 1 on and below the diagonal (query i may attend to
 * keys j <= i), 0 above it (the upper triangle that becomes -Infinity).
 *
 * @example causalMask(3) // [[1,0,0],[1,1,0],[1,1,1]]
 */
export function causalMask(length: number, options: { dtype?: DType } = {}): Tensor {
  checkPositiveInt('causalMask', 'length', length);
  const data = allocate(options.dtype ?? 'float32', length * length);
  for (let i = 0; i < length; i++) for (let j = 0; j <= i; j++) data[i * length + j] = 1;
  return new Tensor(data, [length, length]);
}

/**
 * The key padding mask `[batch, length]` of right-padded sequences: 1 at the real positions
 * `t < lengths[b]`, 0 at the padding. Pass it as `keyMask` so no query attends to padding.
 *
 * @example paddingMask([3, 1], 4) // [[1,1,1,0],[1,0,0,0]]
 */
export function paddingMask(lengths: readonly number[], length: number, options: { dtype?: DType } = {}): Tensor {
  checkPositiveInt('paddingMask', 'length', length);
  const data = allocate(options.dtype ?? 'float32', lengths.length * length);
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > length) {
      fail('INVALID_ARGUMENT', `paddingMask: lengths[${b}] = ${n}; expected an integer in [0, ${length}] (the padded length)`);
    }
    for (let t = 0; t < n; t++) data[b * length + t] = 1;
  });
  return new Tensor(data, [lengths.length, length]);
}

/** A user mask made ready for chunks: its elements laid out as `[maskB, maskH, Tq, Tk]`. */
export interface PreparedMask {
  /** 1 or batch: whether the mask differs between sequences. */
  batch: number;
  /** 1 or heads: whether the mask differs between heads. */
  heads: number;
  data: ArrayLike<number>;
}

/**
 * Checks a user mask against `[B, H, Tq, Tk]` (it may leave out leading dims and use size 1
 * to broadcast) and lays it out as `[1|B, 1|H, Tq, Tk]`.
 */
export function prepareMask(where: string, mask: Tensor, target: readonly number[], described: string): PreparedMask {
  if (mask.ndim > target.length) {
    throw new ShapeError(`${where}: mask of shape ${fmtShape(mask.shape)} has more dimensions than ${described}; expected a shape that broadcasts to it`);
  }
  const padded = [...new Array(target.length - mask.ndim).fill(1), ...mask.shape];
  padded.forEach((d, i) => {
    if (d !== 1 && d !== target[i]) {
      throw new ShapeError(`${where}: mask of shape ${fmtShape(mask.shape)} does not broadcast to ${described} = ${fmtShape(target)}; each dimension must be 1 or match`);
    }
  });
  const [B, H, Tq, Tk] = target;
  const batch = padded[0] === 1 ? 1 : B;
  const heads = padded[1] === 1 ? 1 : H;
  return { batch, heads, data: expandData(reshape(mask.detach(), padded), [batch, heads, Tq, Tk]) };
}

/** What `chunkMask` gives: the additive mask and the rows that had no allowed key. */
export interface ChunkMask {
  /**
   * `[b, h, rows, keys]` (b, h = 1 or B, H) with 0 where allowed and -Infinity where blocked,
   * added to the scores; null when nothing is blocked. Additive rather than `maskedFill`, so
   * autograd keeps only this small tensor, not a copy expanded to every head.
   */
  bias: Tensor | null;
  /** `[b, h, rows, 1]` with 0 for fully blocked rows (their weights must become 0), or null. */
  rowValid: Tensor | null;
}

/**
 * The mask of the query rows `[qStart, qEnd)` against keys `[0, kEnd)`, combining the causal
 * rule (query i stands at key position `queryOffset + i` and sees keys j <= queryOffset + i),
 * a key padding mask `[B, Tk]` and a prepared mask. Fully blocked rows are unblocked in
 * `bias` (so the softmax stays finite) and marked 0 in `rowValid`.
 */
export function chunkMask(
  dtype: DType,
  B: number,
  H: number,
  Tk: number,
  qStart: number,
  qEnd: number,
  kEnd: number,
  causal: boolean,
  keyMask: Tensor | null,
  mask: PreparedMask | null,
  queryOffset = 0,
): ChunkMask {
  if (!causal && !keyMask && !mask) return { bias: null, rowValid: null };
  const Tq = mask ? mask.data.length / (mask.batch * mask.heads * Tk) : 0;
  const mb = keyMask || (mask && mask.batch > 1) ? B : 1;
  const mh = mask && mask.heads > 1 ? H : 1;
  const rows = qEnd - qStart;
  const bias = allocate(dtype, mb * mh * rows * kEnd);
  let rowValid: ReturnType<typeof allocate> | null = null;
  let anyBlocked = false;
  for (let b = 0; b < mb; b++) {
    for (let h = 0; h < mh; h++) {
      for (let r = 0; r < rows; r++) {
        const i = qStart + r;
        const base = ((b * mh + h) * rows + r) * kEnd;
        const mBase = mask ? (((mask.batch > 1 ? b : 0) * mask.heads + (mask.heads > 1 ? h : 0)) * Tq + i) * Tk : 0;
        let allowed = 0;
        for (let j = 0; j < kEnd; j++) {
          const ok = (!causal || j <= queryOffset + i) && (!keyMask || keyMask.data[b * Tk + j] !== 0) && (!mask || mask.data[mBase + j] !== 0);
          if (ok) allowed++;
          else bias[base + j] = -Infinity;
        }
        if (allowed === 0) {
          bias.fill(0, base, base + kEnd);
          if (!rowValid) rowValid = allocate(dtype, mb * mh * rows).fill(1);
          rowValid[(b * mh + h) * rows + r] = 0;
        } else if (allowed < kEnd) anyBlocked = true;
      }
    }
  }
  return {
    bias: anyBlocked ? new Tensor(bias, [mb, mh, rows, kEnd]) : null,
    rowValid: rowValid ? new Tensor(rowValid, [mb, mh, rows, 1]) : null,
  };
}
