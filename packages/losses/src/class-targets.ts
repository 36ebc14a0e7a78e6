import { LoopflowError, ShapeError, Tensor, fmtShape } from '@loopflow/tensor';

/** Class indices: a plain array, an Int32Array (or any typed array), or a tensor holding whole numbers. */
export type ClassTargets = Tensor | ArrayLike<number>;

/**
 * Reads class indices for `positions` (the logits' shape without the class dimension) and
 * checks every index: a whole number in `[0, classes)`, or `ignoreIndex`.
 * Returns them flat, row-major.
 */
export function readClassTargets(op: string, targets: ClassTargets, positions: readonly number[], classes: number, ignoreIndex: number): Int32Array {
  let count = 1;
  for (const d of positions) count *= d;
  let values: ArrayLike<number>;
  if (targets instanceof Tensor) {
    const same = targets.ndim === positions.length && targets.shape.every((d, i) => d === positions[i]);
    if (!same) {
      throw new ShapeError(
        `${op}: targets of shape ${fmtShape(targets.shape)} do not match logits of shape ${fmtShape([...positions, classes])}; ` +
          `expected targets of shape ${fmtShape(positions)} (one class index per position; the class dimension of the logits is the last)`,
      );
    }
    values = targets.data;
  } else {
    if (targets === null || typeof targets !== 'object' || typeof targets.length !== 'number') {
      throw new LoopflowError('INVALID_ARGUMENT', `${op}: targets must be a Tensor or an array of class indices; received ${typeof targets}`);
    }
    if (targets.length !== count) {
      throw new ShapeError(
        `${op}: ${targets.length} targets for logits of shape ${fmtShape([...positions, classes])}; ` +
          `expected ${count} class indices (one per position of ${fmtShape(positions)}, flat row-major)`,
      );
    }
    values = targets;
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = Number(values[i]);
    if (v === ignoreIndex) {
      out[i] = v;
      continue;
    }
    if (!Number.isInteger(v)) {
      throw new LoopflowError('INVALID_TARGET', `${op}: target ${values[i]} at position ${i} is not a whole number; expected a class index in [0, ${classes - 1}]`);
    }
    if (v < 0 || v >= classes) {
      throw new LoopflowError(
        'INDEX_OUT_OF_RANGE',
        `${op}: target ${v} at position ${i} is out of range for ${classes} classes; expected a class index in [0, ${classes - 1}] ` +
          `or the ignoreIndex (${ignoreIndex})`,
      );
    }
    out[i] = v;
  }
  return out;
}
