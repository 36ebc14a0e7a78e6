import { LoopflowError, ShapeError, Tensor, fmtShape } from '@loopflow/tensor';

/**
 * Weights per position: a tensor, or a plain / typed array read flat (row-major). `1` keeps a
 * position, `0` ignores it; other non-negative values weight it.
 */
export type MaskLike = Tensor | ArrayLike<number>;

/** A mask read against a shape: one weight per leading block, and the block's size. */
export interface ResolvedMask {
  /** Weight of each block, length = product of the mask's dimensions. */
  readonly weights: Float64Array;
  /** Elements per weight: the product of the dimensions the mask does not cover. */
  readonly block: number;
}

function prefixSizes(shape: readonly number[]): number[] {
  const sizes = [1];
  for (const d of shape) sizes.push(sizes[sizes.length - 1] * d);
  return sizes;
}

/**
 * Reads a mask whose shape is a leading part of `shape` (e.g. `[B, T]` for losses over
 * `[B, T, F]`): each mask value weights the block of elements it covers. A plain array may
 * hold the values of any such leading part, flat.
 */
export function resolveMask(op: string, mask: MaskLike, shape: readonly number[]): ResolvedMask {
  const total = prefixSizes(shape)[shape.length];
  let values: ArrayLike<number>;
  let covered: number;
  if (mask instanceof Tensor) {
    const k = mask.ndim;
    const fits = k <= shape.length && mask.shape.every((d, i) => d === shape[i]);
    if (!fits) {
      throw new ShapeError(
        `${op}: mask of shape ${fmtShape(mask.shape)} does not match the leading dimensions of ${fmtShape(shape)}; ` +
          `expected a shape such as ${fmtShape(shape)} or ${fmtShape(shape.slice(0, Math.max(1, shape.length - 1)))}`,
      );
    }
    values = mask.data;
    covered = mask.size;
  } else {
    if (mask === null || typeof mask !== 'object' || typeof mask.length !== 'number') {
      throw new LoopflowError('INVALID_ARGUMENT', `${op}: mask must be a Tensor or an array of numbers; received ${typeof mask}`);
    }
    values = mask;
    covered = mask.length;
    if (!prefixSizes(shape).includes(covered)) {
      throw new ShapeError(
        `${op}: mask has ${covered} values, which is not the size of any leading part of shape ${fmtShape(shape)}; ` +
          `expected ${prefixSizes(shape).slice(1).join(' or ')} values`,
      );
    }
  }
  const weights = new Float64Array(covered);
  for (let i = 0; i < covered; i++) {
    const w = Number(values[i]);
    if (!Number.isFinite(w) || w < 0) {
      throw new LoopflowError('INVALID_ARGUMENT', `${op}: mask value ${values[i]} at position ${i} is invalid; expected a finite weight >= 0 (1 keeps, 0 ignores)`);
    }
    weights[i] = w;
  }
  return { weights, block: covered === 0 ? 1 : total / covered };
}
