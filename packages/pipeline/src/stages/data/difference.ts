import { concatMap, from, OperatorFunction } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import { defineStage } from '../../vocabulary/stage';
import type { Item, SplitName } from '../../vocabulary/items';
import { collectItems } from '../../vocabulary/item-buffer';
import { lazyArray } from '../../vocabulary/lazy-array';

/** Options of `difference`. */
export interface DifferenceOptions {
  lag?: number;
}

/**
 * `difference`: replaces a series by its differences `row[t] - row[t - lag]` (lag 1: the
 * change from one step to the next; lag 12 on monthly data: the change over a year, which
 * removes the trend's level and the seasonal pattern). The model then reads and predicts
 * differences; evaluation, predictions and forecasts add them back onto the observed rows,
 * so errors are reported in the original units.
 *
 * Each difference keeps the split of its row `t`; the first `lag` rows only seed the
 * differences (they are dropped). A difference at the start of a split reads rows of the
 * split before it: past values only, no look-ahead.
 *
 * @example
 * { "stage": "difference", "lag": 12 }   // between 'chronological-split' and 'scale'
 */
export const differenceStage = defineStage<DifferenceOptions>({
  name: 'difference',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Differences a series (`row[t] - row[t - lag]`): the model learns changes; evaluation and forecasts add them back, in the original units.',
  description:
    "lag 1: the step-to-step change; lag 12 on monthly data: the change over a year (removes the level of the trend and the seasonal pattern). Put it after the split and before 'scale' (the scaler is then fitted on the differences). The first `lag` rows only seed the differences. RMSE and MAE are measured after adding the predicted differences back onto the observed rows.",
  input: ['rows'],
  output: 'rows',
  requires: ['split'],
  schema: {
    type: 'object',
    properties: {
      lag: { type: 'integer', minimum: 1, default: 1, description: 'Steps between the rows subtracted (12 for a yearly difference of monthly data).' },
    },
  },
  example: { stage: 'difference', lag: 12 },
  create: (o, ctx): OperatorFunction<Item<number[]>, Item<number[]>> => {
    const lag = o.lag ?? 1;
    return (source) =>
      source.pipe(
        collectItems<number[]>(),
        concatMap((buffer) => {
          if (ctx.artifacts.scaler) {
            throw new LoopflowError('PIPELINE_ORDER', "difference: the rows were scaled before this stage; put 'difference' before 'scale', so the scaler is fitted on the differences");
          }
          if (ctx.artifacts.difference) throw new LoopflowError('PIPELINE_ORDER', 'difference: the series is already differenced; use one difference stage');
          const n = buffer.length;
          if (n <= lag) {
            throw new LoopflowError('DATA_EMPTY', `difference: the series has ${n} rows; lag ${lag} needs more than ${lag}`);
          }
          // the rows stay in the buffer (compact), read from there as the artifact (new arrays on each read)
          const rows = lazyArray(n, (i) => buffer.valueAt(i).slice()) as number[][];
          const splits = lazyArray(n, (i): SplitName => buffer.splitOf(i) ?? 'train') as SplitName[];
          ctx.artifacts.difference = { lag, rows, splits };
          // differences(rows, lag) of @loopflow/data, one row at a time as they are taken
          return from(
            (function* (): Generator<Item<number[]>> {
              for (let t = lag; t < n; t++) {
                const before = buffer.valueAt(t - lag);
                const item = buffer.itemAt(t);
                yield { ...item, value: item.value.map((v, i) => v - before[i]) };
              }
            })(),
          );
        }),
      );
  },
});
