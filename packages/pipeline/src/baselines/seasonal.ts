import { LoopflowError } from '@loopflow/tensor';
import type { SplitName } from '../vocabulary/items';

/**
 * The training split's mean change over one season, per column: the mean of
 * `row[t][c] - row[t - season][c]` over the training rows `t` (with `t - season` a training
 * row too). For monthly data and season 12: the mean yearly drift.
 *
 * @example meanSeasonalDrift([[1], [2], [4], [5]], ['train', 'train', 'train', 'test'], 1, [0]) // [1.5]
 */
export function meanSeasonalDrift(rows: readonly (readonly number[])[], splits: readonly SplitName[], season: number, columns: readonly number[]): number[] {
  const sums = columns.map(() => 0);
  let n = 0;
  for (let t = season; t < rows.length; t++) {
    if (splits[t] !== 'train' || splits[t - season] !== 'train') continue;
    columns.forEach((c, i) => (sums[i] += rows[t][c] - rows[t - season][c]));
    n += 1;
  }
  if (n === 0) throw new LoopflowError('DATA_EMPTY', `meanSeasonalDrift: the training split has no two rows ${season} steps apart; use a shorter season or more training data`);
  return sums.map((s) => s / n);
}

/**
 * The seasonal-naive forecast of the row `ahead` steps after row `end` (the last observed
 * row), for the given columns: the value one season before the target, or whole seasons
 * before it when that is still in the future (`end + ahead - season * ceil(ahead / season)`),
 * plus `drift` once per season stepped back (seasonal naive with drift); without `drift`, the
 * plain seasonal-naive forecast. Season 1: the last observed value (naive, or random walk with drift).
 *
 * @example
 * // monthly CO2, twelve months ahead of month `end`: the value at `end` (twelve months before
 * // the target), plus the mean yearly drift of the training data
 * seasonalNaive(rows, end, 12, 12, [0], drift)
 */
export function seasonalNaive(rows: readonly (readonly number[])[], end: number, ahead: number, season: number, columns: readonly number[], drift?: readonly number[]): number[] {
  if (!(ahead >= 1) || !(season >= 1)) throw new LoopflowError('INVALID_ARGUMENT', `seasonalNaive: ahead ${ahead} and season ${season}; expected integers >= 1`);
  const seasonsBack = Math.ceil(ahead / season);
  const source = end + ahead - seasonsBack * season;
  if (source < 0 || source > end || source >= rows.length) {
    throw new LoopflowError('INVALID_ARGUMENT', `seasonalNaive: the row ${seasonsBack} season(s) before the target is ${source}; expected an observed row in [0, ${end}]`);
  }
  return columns.map((c, i) => rows[source][c] + (drift ? seasonsBack * drift[i] : 0));
}
