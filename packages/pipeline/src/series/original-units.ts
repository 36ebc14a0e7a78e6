import type { Tensor } from '@loopflow/tensor';
import { LoopflowError } from '@loopflow/tensor';
import type { Batch, SeriesSample } from '@loopflow/data';
import type { Artifacts, SeriesLayout, SplitRows } from '../vocabulary/artifacts';
import type { PreparedData } from '../vocabulary/prepared';
import { makeBatches } from '../vocabulary/prepared';
import type { SplitName } from '../vocabulary/items';
import { collectSync } from '../vocabulary/sync';
import { lazyArray } from '../vocabulary/lazy-array';

/**
 * How many steps after a window's last row each target row lies: `[1, 2, ..., horizon]`
 * (targetSteps 'all') or `[horizon]` ('last').
 *
 * @example targetOffsets({ horizon: 12, targetSteps: 'last', ... }) // [12]
 */
export function targetOffsets(layout: Pick<SeriesLayout, 'horizon' | 'targetSteps'>): number[] {
  return layout.targetSteps === 'last' ? [layout.horizon] : Array.from({ length: layout.horizon }, (_, h) => h + 1);
}

/** The series before differencing and scaling: rows in the original units, their splits, and how far its rows are ahead of the windows' rows. */
export interface OriginalSeries extends SplitRows {
  /** Row `i` of the rows `windows` cut is row `i + shift` here (the differencing lag, else 0). */
  shift: number;
}

/**
 * The source series in its original units: the rows before `difference` when the series
 * was differenced, else the rows `windows` cut with the scaler inverted. Undefined before a
 * `windows` stage ran.
 */
export function originalSeries(artifacts: Artifacts): OriginalSeries | undefined {
  if (artifacts.difference) return { rows: artifacts.difference.rows, splits: artifacts.difference.splits, shift: artifacts.difference.lag };
  const cut = artifacts.windowRows;
  if (!cut) return undefined;
  const scaler = artifacts.scaler;
  // each row unscaled when read (the rows may be millions: no second array of them)
  return { rows: scaler ? (lazyArray(cut.rows.length, (i) => scaler.inverse(cut.rows[i])) as number[][]) : cut.rows, splits: cut.splits, shift: 0 };
}

/** The row of the original series (see {@link originalSeries}) that is a sample's last input row. */
export function windowEnd(artifacts: Artifacts, sample: SeriesSample): number {
  const layout = requireLayout(artifacts);
  return sample.index + layout.lookBack - 1 + (artifacts.difference?.lag ?? 0);
}

function requireLayout(artifacts: Artifacts): SeriesLayout {
  if (!artifacts.series) throw new LoopflowError('PIPELINE_ORDER', "series: no series layout; make the samples with a 'windows' stage");
  return artifacts.series;
}

/**
 * Forecast values `[H, B, Ft]` as the model sees them (scaled, maybe differenced) in the
 * series' original units, for `samples` (the batch's samples, in batch order): the target
 * columns' scaler inverted, then, for a differenced series, each predicted difference added
 * to the row `lag` steps before its target — an observed row when it lies within the window,
 * else the value already predicted for it. Returns the same layout, `[H, B, Ft]` flattened.
 *
 * @example
 * errors.add(seriesInOriginalUnits(artifacts, output, batchSamples), seriesInOriginalUnits(artifacts, batch.targets, batchSamples));
 */
export function seriesInOriginalUnits(artifacts: Artifacts, values: Tensor, samples: readonly SeriesSample[]): Float64Array {
  const layout = requireLayout(artifacts);
  const [H, B, Ft] = values.shape;
  if (B !== samples.length) {
    throw new LoopflowError('INVALID_ARGUMENT', `seriesInOriginalUnits: values have ${B} batch columns but ${samples.length} samples were given; pass the batch's samples in batch order`);
  }
  const scaler = artifacts.scaler;
  const unscaled = scaler ? scaler.select(layout.targetColumns).inverseTensor(values).data : values.data;
  const out = Float64Array.from(unscaled);
  const difference = artifacts.difference;
  if (!difference) return out;
  const offsets = targetOffsets(layout);
  const { lag, rows } = difference;
  for (let b = 0; b < B; b++) {
    const end = windowEnd(artifacts, samples[b]);
    for (let h = 0; h < H; h++) {
      const before = end + offsets[h] - lag; // the row whose value the difference adds to
      const predictedAt = before > end ? offsets.indexOf(offsets[h] - lag) : -1;
      if (before > end && predictedAt < 0) {
        throw new LoopflowError('INVALID_ARGUMENT', `seriesInOriginalUnits: the target ${offsets[h]} steps ahead adds to the row ${offsets[h] - lag} steps ahead, which is not predicted`);
      }
      for (let f = 0; f < Ft; f++) {
        const at = (h * B + b) * Ft + f;
        out[at] += predictedAt >= 0 ? out[(predictedAt * B + b) * Ft + f] : rows[before][layout.targetColumns[f]];
      }
    }
  }
  return out;
}

/**
 * The batches of a split in sample order — not shuffled, not bucketed by length — so that
 * batch column `b` of the `n`-th batch is sample `n * batchSize + b`: for pairing outputs
 * with their samples.
 */
export function orderedBatches(data: PreparedData, split: SplitName, limit?: number): Batch[] {
  const samples = limit === undefined ? data.samples[split] : data.samples[split].slice(0, limit);
  return collectSync(makeBatches(samples, { batchSize: data.batching.batchSize, shuffle: false, dropRemainder: false }, data.seed, split));
}
