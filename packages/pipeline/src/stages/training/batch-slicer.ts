import { slice } from '@loopflow/tensor';
import type { Batch } from '@loopflow/data';
import type { TimeSlicer } from '@loopflow/training';

/**
 * Cuts a time-major data batch (`inputs`, `targets`, `mask` `[T, B, ...]`) to steps
 * `[start, end)` for truncated BPTT; each sequence's length is cut to the steps it has there.
 */
export const batchSlicer: TimeSlicer<Batch> = {
  length: (batch) => batch.inputs.shape[0],
  slice: (batch, start, end) => ({
    ...batch,
    inputs: slice(batch.inputs, 0, start, end),
    targets: slice(batch.targets, 0, start, end),
    mask: slice(batch.mask, 0, start, end),
    lengths: batch.lengths.map((n) => Math.max(0, Math.min(n, end) - start)),
  }),
};
