import { concatMap, from, OperatorFunction, toArray } from 'rxjs';
import { Sample, Scaler, seriesWindows } from '@loopflow/data';
import { LoopflowError } from '@loopflow/tensor';
import { defineStage, StageOptionsError } from '../../registry/stage';
import { Item, SPLITS } from '../common/items';
import { collectSync } from '../common/sync';

/** Options of `scale`. */
export interface ScaleOptions {
  kind?: 'standard' | 'minmax';
  range?: [number, number];
}

/** `scale`: fits a scaler on the training rows and scales every split. */
export const scaleStage = defineStage<ScaleOptions>({
  name: 'scale',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Scales each column of numeric rows, fitted on the training split only; evaluation reports errors back in the original units.',
  input: ['rows'],
  output: 'rows',
  requires: ['split'],
  schema: {
    type: 'object',
    properties: {
      kind: { enum: ['standard', 'minmax'], default: 'standard', description: "'standard': zero mean, unit variance; 'minmax': the training range onto `range`." },
      range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, default: [0, 1], description: "Target interval of 'minmax'." },
    },
  },
  example: { stage: 'scale', kind: 'standard' },
  create: (o, ctx): OperatorFunction<Item<number[]>, Item<number[]>> => {
    if (o.range && !(o.range[1] > o.range[0])) throw new StageOptionsError('range is empty', { path: '/range', expected: '[low, high] with low < high', found: JSON.stringify(o.range) });
    return (source) =>
      source.pipe(
        toArray(),
        concatMap((items) => {
          const train = items.filter((i) => (i.split ?? 'train') === 'train').map((i) => i.value);
          const scaler = Scaler.fit(o.kind ?? 'standard', train, { range: o.range });
          ctx.artifacts.scaler = scaler;
          return from(items.map((item) => ({ ...item, value: scaler.transform(item.value) })));
        }),
      );
  },
});

/** Options of `windows`. */
export interface WindowsOptions {
  lookBack: number;
  horizon?: number;
  stride?: number;
  inputColumns?: (number | string)[];
  targetColumns?: (number | string)[];
}

const columnsSchema = (what: string) => ({
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: ['integer', 'string'] },
  description: `Columns ${what} (indices from 0, or names from the source; default: all).`,
});

function resolveColumns(spec: (number | string)[] | undefined, width: number, names: string[] | undefined, key: string): number[] {
  if (spec === undefined) return Array.from({ length: width }, (_, i) => i);
  return spec.map((c) => {
    const index = typeof c === 'number' ? c : (names ?? []).indexOf(c);
    if (!Number.isInteger(index) || index < 0 || index >= width) {
      throw new LoopflowError('DATA_INVALID_ARGUMENT', `windows: ${key} names ${JSON.stringify(c)}, but rows have ${width} columns${names ? ` (${names.join(', ')})` : ''}; use an index in [0, ${width - 1}]${names ? ' or one of those names' : ''}`);
    }
    return index;
  });
}

/** `windows`: forecasting samples (a look-back window of rows and the rows that follow). */
export const windowsStage = defineStage<WindowsOptions>({
  name: 'windows',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Forecasting samples: `lookBack` rows as input, the next `horizon` rows (target columns) as target.',
  description:
    "Cut per split, so every target lies in its own split; the input of a validation or test window may reach back into the rows before the split (past values only: no look-ahead). Put a 'chronological-split' before it.",
  input: ['rows'],
  output: 'samples',
  schema: {
    type: 'object',
    required: ['lookBack'],
    properties: {
      lookBack: { type: 'integer', minimum: 1, description: 'Past rows in each input window.' },
      horizon: { type: 'integer', minimum: 1, default: 1, description: 'Future rows to predict.' },
      stride: { type: 'integer', minimum: 1, default: 1, description: 'Rows between window starts.' },
      inputColumns: columnsSchema('fed to the model'),
      targetColumns: columnsSchema('predicted'),
    },
  },
  example: { stage: 'windows', lookBack: 24, horizon: 1 },
  create: (o, ctx): OperatorFunction<Item<number[]>, Item<Sample>> => (source) =>
    source.pipe(
      toArray(),
      concatMap((items) => {
        const width = items[0]?.value.length ?? 0;
        const inputColumns = resolveColumns(o.inputColumns, width, ctx.artifacts.columns, 'inputColumns');
        const targetColumns = resolveColumns(o.targetColumns, width, ctx.artifacts.columns, 'targetColumns');
        const horizon = o.horizon ?? 1;
        ctx.artifacts.series = {
          lookBack: o.lookBack,
          horizon,
          inputColumns,
          targetColumns,
          lastRows: items.slice(Math.max(0, items.length - o.lookBack)).map((i) => i.value.slice()),
        };
        const out: Item<Sample>[] = [];
        for (const split of SPLITS) {
          const indices = items.flatMap((item, i) => ((item.split ?? 'train') === split ? [i] : []));
          if (indices.length === 0) continue;
          const first = indices[0];
          const context = items.slice(Math.max(0, first - o.lookBack), first).filter((i) => (i.split ?? 'train') !== split);
          const rows = [...context, ...indices.map((i) => items[i])].map((i) => i.value);
          const samples = collectSync(from(rows).pipe(seriesWindows({ lookBack: o.lookBack, horizon, stride: o.stride, inputColumns, targetColumns })));
          for (const sample of samples) out.push({ split, value: sample });
        }
        return from(out);
      }),
    ),
});
