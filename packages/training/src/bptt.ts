import { Tensor, fmtShape, slice } from '@loopflow/tensor';
import { TrainError } from './errors';
import type { TimeSliceable, TimeSlicer } from './types';
import { tbpttSegments, tbpttWindows } from '@loopflow/cells';
import type { TruncatedBPTTSegment, TruncatedBPTTWindow } from '@loopflow/cells';

/**
 * One update of TBPTT(k1, k2) over a batch of T steps: the forward runs `[start, end)`, the
 * loss covers `[lossStart, end)` (k1 steps, fewer at the end), and the gradient reaches back
 * to `start = lossStart + k1 - k2` (clamped at 0). The state at `carryAt` (the next update's
 * start) is carried, detached, into the next update. The window of cells' one TBPTT planner.
 */
export type UpdateWindow = TruncatedBPTTWindow;

/** A piece of a window that one forward call runs: `[start, end)`, in the loss or not. */
export type WindowSegment = TruncatedBPTTSegment;

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TrainError('INVALID_ARGUMENT', `bptt: ${name} = ${JSON.stringify(value)}; expected a whole number >= 1`);
  }
  return value;
}

/**
 * The updates of TBPTT(k1 = stepsPerUpdate, k2 = stepsBackward) over `length` steps: the
 * arguments checked with the trainer's messages (`bptt: ...`), then planned by cells'
 * `tbpttWindows`, the planner `truncatedBPTT` uses. With k2 = k1 the windows are consecutive
 * chunks `[0,k1), [k1,2k1), ...`, the last one shorter.
 *
 * @example
 * bpttWindows(12, 4).map((w) => [w.start, w.end]) // [[0,4], [4,8], [8,12]]
 * bpttWindows(8, 2, 3)[1]                          // { start: 1, lossStart: 2, end: 4, carryAt: 3 }
 */
export function bpttWindows(length: number, stepsPerUpdate: number, stepsBackward?: number): UpdateWindow[] {
  const k1 = positiveInteger('stepsPerUpdate', stepsPerUpdate);
  const k2 = positiveInteger('stepsBackward', stepsBackward ?? k1);
  if (k2 < k1) {
    throw new TrainError('INVALID_ARGUMENT', `bptt: stepsBackward (${k2}) is less than stepsPerUpdate (${k1}); the gradient must reach every step whose loss an update takes. Use stepsBackward >= stepsPerUpdate`);
  }
  if (!Number.isInteger(length) || length < 1) {
    throw new TrainError('INVALID_ARGUMENT', `bptt: the batch has ${length} time steps; expected at least 1`);
  }
  return tbpttWindows(length, k1, k2);
}

/**
 * The forward calls of a window: cut at the loss start and at the carry point (so the state
 * there can be taken), each piece marked in the loss or not. One piece when k2 = k1. Cells'
 * `tbpttSegments`.
 */
export function windowSegments(w: UpdateWindow): WindowSegment[] {
  return tbpttSegments(w);
}

/** The default slicer: the batch's own `time` and `sliceTime` ({@link TimeSliceable}). */
export function ownSlicer<B>(): TimeSlicer<B> {
  const check = (batch: B): TimeSliceable<B> => {
    const b = batch as unknown as TimeSliceable<B>;
    if (!b || typeof b.time !== 'number' || typeof b.sliceTime !== 'function') {
      throw new TrainError('INVALID_ARGUMENT', 'bptt: the batch has no `time` and `sliceTime(start, end)`; give the batches those, or pass bptt.slicer (e.g. timeMajorSlicer([\'inputs\', \'targets\']))');
    }
    return b;
  };
  return { length: (batch) => check(batch).time, slice: (batch, start, end) => check(batch).sliceTime(start, end) };
}

/**
 * A slicer for batches that are plain objects of time-major tensors (`[T, B, ...]`, as the
 * cells and the data package use): `fields` are cut along axis 0, every other property is
 * kept as is. All listed fields must have the same T.
 *
 * @example
 * bptt: { stepsPerUpdate: 35, slicer: timeMajorSlicer(['inputs', 'targets', 'mask']) }
 */
export function timeMajorSlicer<B extends object>(fields: readonly (keyof B & string)[]): TimeSlicer<B> {
  if (!Array.isArray(fields) || fields.length === 0) throw new TrainError('INVALID_ARGUMENT', 'timeMajorSlicer: expected the names of the time-major tensor fields, e.g. [\'inputs\', \'targets\']');
  const tensorOf = (batch: B, field: string): Tensor => {
    const t = (batch as Record<string, unknown>)[field];
    if (!(t instanceof Tensor) || t.ndim < 1) throw new TrainError('INVALID_ARGUMENT', `timeMajorSlicer: batch.${field} is not a tensor with a time axis; expected [T, ...]`);
    return t;
  };
  const length = (batch: B): number => {
    const T = tensorOf(batch, fields[0]).shape[0];
    for (const f of fields) {
      const t = tensorOf(batch, f);
      if (t.shape[0] !== T) throw new TrainError('INVALID_ARGUMENT', `timeMajorSlicer: batch.${f} has shape ${fmtShape(t.shape)} but batch.${fields[0]} has ${T} steps; expected every listed field to be time-major with T = ${T}`);
    }
    return T;
  };
  return {
    length,
    slice(batch, start, end) {
      const out: Record<string, unknown> = { ...(batch as Record<string, unknown>) };
      for (const f of fields) out[f] = slice(tensorOf(batch, f), 0, start, end);
      return out as B;
    },
  };
}
