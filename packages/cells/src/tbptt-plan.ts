import { CellError } from './errors';

/**
 * One update of truncated BPTT, TBPTT(k1, k2), over T steps: the forward runs over
 * `[start, end)` from the stored, detached state at `start`; the loss covers `[lossStart, end)`.
 * So the gradient of the loss at `end - 1` reaches back `end - start` steps (k2 for a full
 * chunk; a shorter last chunk keeps the same k2 - k1 steps before its loss steps), and every
 * step's loss enters exactly one update.
 */
export interface TruncatedBPTTWindow {
  /** Update number, from 0. */
  index: number;
  /** First step of the forward pass (`max(0, lossStart - (k2 - k1))`: k2 steps back from a full chunk's end). */
  start: number;
  /** First step whose output enters the loss (`index * k1`). */
  lossStart: number;
  /** One past the last step (`min(lossStart + k1, T)`). */
  end: number;
  /** Where the state carried into the next window is taken (its `start`); null for the last window. */
  carryAt: number | null;
}

/** A piece of a window that one forward call runs: `[start, end)`, its outputs in the loss or not. */
export interface TruncatedBPTTSegment {
  start: number;
  end: number;
  inLoss: boolean;
}

const wholeAtLeastOne = (n: number): boolean => Number.isInteger(n) && n >= 1;

/**
 * The one planner of truncated-BPTT windows (cells' `truncatedBPTT` and the training loop of
 * `@loopflow/training` both use it): an update every `stepsPerUpdate` (k1) steps of a
 * `length`-step sequence, the forward reaching `stepsBackward` (k2 >= k1, default k1) steps
 * back from a full chunk's end. With k2 = k1 the windows are the consecutive chunks
 * `[0,k1), [k1,2k1), ...`, the last one shorter; k1 = k2 >= T is full BPTT (one window).
 * The callers check their arguments with their own messages first; this one only refuses
 * what would make no plan (`INVALID_ARGUMENT`).
 *
 * @example
 * tbpttWindows(12, 4).map((w) => [w.start, w.end]) // [[0,4], [4,8], [8,12]]
 * tbpttWindows(8, 2, 3)[1]                          // { index: 1, start: 1, lossStart: 2, end: 4, carryAt: 3 }
 */
export function tbpttWindows(length: number, stepsPerUpdate: number, stepsBackward: number = stepsPerUpdate): TruncatedBPTTWindow[] {
  const k1 = stepsPerUpdate;
  const k2 = stepsBackward;
  if (!wholeAtLeastOne(length) || !wholeAtLeastOne(k1) || !wholeAtLeastOne(k2) || k2 < k1) {
    throw new CellError('INVALID_ARGUMENT', `tbpttWindows: length ${length}, stepsPerUpdate ${k1}, stepsBackward ${k2}; expected whole numbers with length >= 1 and stepsBackward >= stepsPerUpdate >= 1`);
  }
  const windows: TruncatedBPTTWindow[] = [];
  for (let lossStart = 0, index = 0; lossStart < length; lossStart += k1, index++) {
    // The forward reaches k2 - k1 steps before the loss steps (k2 back from a full chunk's end).
    windows.push({ index, start: Math.max(0, lossStart - (k2 - k1)), lossStart, end: Math.min(lossStart + k1, length), carryAt: null });
  }
  for (let i = 0; i + 1 < windows.length; i++) windows[i].carryAt = windows[i + 1].start;
  return windows;
}

/**
 * The forward calls of a window: cut at the loss start and at the carry point (so the state
 * there can be taken, detached, for the next window), each piece marked in the loss or not.
 * One piece when k2 = k1.
 *
 * @example
 * tbpttSegments({ index: 1, start: 1, lossStart: 2, end: 4, carryAt: 3 })
 * // [{ start: 1, end: 2, inLoss: false }, { start: 2, end: 3, inLoss: true }, { start: 3, end: 4, inLoss: true }]
 */
export function tbpttSegments(window: TruncatedBPTTWindow): TruncatedBPTTSegment[] {
  const cuts = [window.start, window.lossStart, window.end];
  if (window.carryAt !== null && window.carryAt > window.start && window.carryAt < window.end) cuts.push(window.carryAt);
  const sorted = [...new Set(cuts)].sort((a, b) => a - b);
  const out: TruncatedBPTTSegment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push({ start: sorted[i], end: sorted[i + 1], inLoss: sorted[i] >= window.lossStart });
  return out;
}
