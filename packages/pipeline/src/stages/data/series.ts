import { concatMap, from, OperatorFunction } from 'rxjs';
import { DataError, Sample, Scaler, seriesWindows } from '@loopflow/data';
import { LoopflowError } from '@loopflow/tensor';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import { drain, Item, SplitName, SPLITS } from '../../vocabulary/items';
import { collectItems, ItemBuffer } from '../../vocabulary/item-buffer';
import { lazyArray } from '../../vocabulary/lazy-array';
import { WindowSample, WindowSource } from '../../vocabulary/window-samples';
import { collectSync } from '../../vocabulary/sync';

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
        collectItems<number[]>(),
        concatMap((buffer) => {
          const column = (i: number): string => (ctx.artifacts.columns?.[i] !== undefined ? `column '${ctx.artifacts.columns[i]}'` : `column ${i}`);
          if (buffer.valuesOf('train').next().done) {
            throw new LoopflowError('DATA_EMPTY', `scale (${ctx.path}): the training split holds no rows (${buffer.length} rows in all); expected rows to fit the scaler on; check the source and the split fractions`);
          }
          let scaler: Scaler;
          try {
            scaler = Scaler.fit(o.kind ?? 'standard', buffer.valuesOf('train'), { range: o.range });
          } catch (e) {
            const at = (e as { column?: unknown }).column;
            if (!(e instanceof DataError) || typeof at !== 'number') throw e;
            throw new DataError(e.code, `scale (${ctx.path}), the training rows: ${e.message.replace(/^Scaler\.fit: /, '').replace(/column \d+/, column(at))}`, { column: ctx.artifacts.columns?.[at] ?? at, expected: e.expected, received: e.received });
          }
          ctx.artifacts.scaler = scaler;
          // scaled as the buffer drains
          return buffer.drain((item, index) => {
            const value = scaler.transform(item.value);
            const bad = value.findIndex((v) => !Number.isFinite(v));
            if (bad >= 0) {
              throw new DataError('DATA_BAD_VALUE', `scale (${ctx.path}): row ${index} (${item.split ?? 'train'}), ${column(bad)} = ${item.value[bad]} scales to ${value[bad]} (the training rows' ${o.kind === 'minmax' ? 'range' : 'mean and spread'} cannot reach it in float64); expected values of the training rows' magnitude; rescale the column`, {
                column: ctx.artifacts.columns?.[bad] ?? bad,
                expected: 'a value that scales to a finite number',
                received: String(item.value[bad]),
              });
            }
            return { ...item, value };
          });
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
  targetSteps?: 'all' | 'last';
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
  summary: 'Forecasting samples: `lookBack` rows as input, the next `horizon` rows (target columns) as target, or only the row `horizon` steps ahead.',
  description:
    "Cut per split, so every target lies in its own split; the input of a validation or test window may reach back into the rows before the split (past values only: no look-ahead). Put a 'chronological-split' before it. With targetSteps 'last', every row of a validation or test split is the target of one window.",
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
      targetSteps: {
        enum: ['all', 'last'],
        default: 'all',
        description: "'all': the target is the next `horizon` rows; 'last': only the row `horizon` steps after the window (e.g. horizon 12: the value twelve months ahead).",
      },
    },
  },
  example: { stage: 'windows', lookBack: 24, horizon: 1 },
  create: (o, ctx): OperatorFunction<Item<number[]>, Item<Sample>> => (source) =>
    source.pipe(
      collectItems<number[]>(),
      concatMap((buffer) => {
        const width = buffer.length === 0 ? 0 : buffer.layout === 'rows' ? buffer.rowWidth : buffer.valueAt(0).length;
        const inputColumns = resolveColumns(o.inputColumns, width, ctx.artifacts.columns, 'inputColumns');
        const targetColumns = resolveColumns(o.targetColumns, width, ctx.artifacts.columns, 'targetColumns');
        const horizon = o.horizon ?? 1;
        const targetSteps = o.targetSteps ?? 'all';
        const differenced = ctx.artifacts.difference;
        if (differenced && targetSteps === 'last' && horizon > differenced.lag) {
          throw new LoopflowError(
            'PIPELINE_ORDER',
            `windows: the series is differenced at lag ${differenced.lag}, and targetSteps 'last' predicts only the row ${horizon} steps ahead; turning that difference back into a value needs the rows between, which are not predicted; use targetSteps 'all', or a lag of at least ${horizon}`,
          );
        }
        const n = buffer.length;
        const lastRows: number[][] = [];
        for (let i = Math.max(0, n - o.lookBack); i < n; i++) lastRows.push(buffer.valueAt(i));
        ctx.artifacts.series = {
          lookBack: o.lookBack,
          horizon,
          inputColumns,
          targetColumns,
          lastRows,
          ...(targetSteps === 'last' ? { targetSteps } : {}),
          ...(differenced ? { difference: { lag: differenced.lag, lastRows: differenced.rows.slice(differenced.rows.length - differenced.lag).map((r) => r.slice()) } } : {}),
        };
        const splitOf = (i: number): SplitName => buffer.splitOf(i) ?? 'train';
        // the rows stay in the buffer (compact): windowRows and the windows read them from there
        ctx.artifacts.windowRows = { rows: lazyArray(n, (i) => buffer.valueAt(i)) as number[][], splits: lazyArray(n, splitOf) as SplitName[] };
        if (buffer.layout !== 'rows') return from(windowsOfArrays(buffer, o, { horizon, targetSteps, inputColumns, targetColumns }));
        const sources: { split: SplitName; source: WindowSource; rows: number }[] = [];
        for (const split of SPLITS) {
          // the split's rows: one range [first, last] in the common case, else their indices
          let first = -1;
          let last = -1;
          let count = 0;
          for (let i = 0; i < n; i++) {
            if (splitOf(i) !== split) continue;
            if (first < 0) first = i;
            last = i;
            count += 1;
          }
          if (count === 0) continue;
          // rows before the split, read as past input only (with 'last', also the rows between the input and the target)
          const reach = o.lookBack + (targetSteps === 'last' ? horizon - 1 : 0);
          const context: number[] = [];
          for (let i = Math.max(0, first - reach); i < first; i++) if (splitOf(i) !== split) context.push(i);
          const contiguous = last - first + 1 === count && context.every((row, j) => row === first - context.length + j);
          let rowIndex: Int32Array | undefined;
          if (!contiguous) {
            rowIndex = new Int32Array(context.length + count);
            rowIndex.set(context);
            for (let i = first, j = context.length; i <= last; i++) if (splitOf(i) === split) rowIndex[j++] = i;
          }
          const base = first - context.length;
          sources.push({
            split,
            rows: context.length + count,
            source: {
              value: (row, c) => buffer.number(row, c),
              rowOf: rowIndex ? (j) => (rowIndex as Int32Array)[j] : (j) => base + j,
              indexBase: base,
              lookBack: o.lookBack,
              horizon,
              targetSkip: targetSteps === 'last' ? horizon - 1 : 0,
              stride: o.stride ?? 1,
              inputColumns,
              targetColumns,
            },
          });
        }
        // seriesWindows' windows of each split: starts 0, stride, ... while lookBack + horizon rows remain; made as they are taken
        return from(
          (function* (): Generator<Item<Sample>> {
            for (const { split, source, rows } of sources) {
              for (let start = 0; start + source.lookBack + source.horizon <= rows; start += source.stride) yield { split, value: new WindowSample(source, start) };
            }
          })(),
        );
      }),
    ),
});

/** Windows of rows that are not one width (the `seriesWindows` operator reports the first such row), as before the compact layout. */
function windowsOfArrays(buffer: ItemBuffer<number[]>, o: WindowsOptions, cut: { horizon: number; targetSteps: 'all' | 'last'; inputColumns: number[]; targetColumns: number[] }): Item<Sample>[] {
  const items = Array.from({ length: buffer.length }, (_, i) => buffer.itemAt(i));
  const out: Item<Sample>[] = [];
  for (const split of SPLITS) {
    const indices = items.flatMap((item, i) => ((item.split ?? 'train') === split ? [i] : []));
    if (indices.length === 0) continue;
    const first = indices[0];
    const reach = o.lookBack + (cut.targetSteps === 'last' ? cut.horizon - 1 : 0);
    const context = items.slice(Math.max(0, first - reach), first).filter((i) => (i.split ?? 'train') !== split);
    const rows = [...context, ...indices.map((i) => items[i])].map((i) => i.value);
    const start = first - context.length;
    const samples = collectSync(from(rows).pipe(seriesWindows({ lookBack: o.lookBack, horizon: cut.horizon, stride: o.stride, inputColumns: cut.inputColumns, targetColumns: cut.targetColumns })));
    for (const sample of samples) {
      const target = cut.targetSteps === 'last' ? sample.target.slice(cut.horizon - 1) : sample.target;
      out.push({ split, value: { ...sample, index: start + sample.index, target } });
    }
  }
  return out;
}
