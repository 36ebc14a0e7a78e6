import { Tensor, fmtShape } from '@loopflow/tensor';
import { CellError } from './errors';

/**
 * Checks per-sequence lengths for a batch of `batchSize` sequences of `timeSteps` steps; returns
 * them, or null when every sequence is full length (no masking needed).
 */
export function checkLengths(where: string, lengths: readonly number[], batchSize: number, timeSteps: number): number[] | null {
  if (!Array.isArray(lengths) && !(ArrayBuffer.isView(lengths))) {
    throw new CellError('INVALID_LENGTHS', `${where}: lengths is ${typeof lengths}; expected an array of ${batchSize} integers`);
  }
  if (lengths.length !== batchSize) {
    throw new CellError('INVALID_LENGTHS', `${where}: lengths has ${lengths.length} entries, expected one per batch element (${batchSize})`);
  }
  const out = Array.from(lengths);
  out.forEach((len, b) => {
    if (!Number.isInteger(len) || len < 0 || len > timeSteps) {
      throw new CellError('INVALID_LENGTHS', `${where}: lengths[${b}] is ${len}; expected an integer in [0, ${timeSteps}] (the padded sequence has ${timeSteps} steps)`);
    }
  });
  return out.every((len) => len === timeSteps) ? null : out;
}

/**
 * Lengths from a mask of real steps (1) and trailing padding (0): `[T, B]`, or `[B, T]` when
 * `batchFirst`. Throws `INVALID_LENGTHS` for values other than 0/1 or padding before a real step.
 *
 * @example lengthsFromMask(tensor([[1, 1], [1, 0], [0, 0]])) // [2, 1]
 */
export function lengthsFromMask(mask: Tensor, batchFirst = false): number[] {
  if (!(mask instanceof Tensor) || mask.ndim !== 2) {
    throw new CellError('INVALID_LENGTHS', `mask: expected a tensor ${batchFirst ? '[B, T]' : '[T, B]'}, received ${mask instanceof Tensor ? `shape ${fmtShape(mask.shape)}` : typeof mask}`);
  }
  const [d0, d1] = mask.shape;
  const [timeSteps, batch] = batchFirst ? [d1, d0] : [d0, d1];
  const at = (t: number, b: number): number => mask.data[batchFirst ? b * timeSteps + t : t * batch + b];
  const lengths: number[] = [];
  for (let b = 0; b < batch; b++) {
    let len = 0;
    while (len < timeSteps && at(len, b) !== 0) len++;
    for (let t = 0; t < timeSteps; t++) {
      const v = at(t, b);
      if (v !== 0 && v !== 1) {
        throw new CellError('INVALID_LENGTHS', `mask: value ${v} at step ${t}, batch ${b}; expected 1 (real step) or 0 (padding)`);
      }
      if (t >= len && v !== 0) {
        throw new CellError('INVALID_LENGTHS', `mask: batch element ${b} has padding at step ${len} followed by a real step at ${t}; padding must trail (left-aligned sequences)`);
      }
    }
    lengths.push(len);
  }
  return lengths;
}
