import { concatMap, from, map, OperatorFunction, toArray } from 'rxjs';
import { LoopflowError } from '@loopflow/tensor';
import { defineStage, StageContext, StageIssue } from '../../vocabulary/stage';
import { closest } from '../../vocabulary/suggest';
import type { Item } from '../../vocabulary/items';
import { showValue } from '../../vocabulary/show-value';

/** Options of `text-field`. */
export interface TextFieldOptions {
  field?: string;
  label?: string;
  labels?: (string | number | boolean)[];
}

function fieldOf(stage: string, record: unknown, field: string | undefined, index: number, what: string): unknown {
  if (field === undefined) return record;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new LoopflowError('DATA_BAD_VALUE', `${stage}: record ${index} is ${showValue(record)}; expected an object with a field '${field}' (${what})`);
  }
  const value = (record as Record<string, unknown>)[field];
  if (value === undefined) {
    throw new LoopflowError('DATA_BAD_VALUE', `${stage}: record ${index} has no field '${field}' (${what}); its fields are ${Object.keys(record).join(', ')}`);
  }
  return value;
}

/** `text-field`: picks the text (and optionally the class label) of each record. */
export const textFieldStage = defineStage<TextFieldOptions>({
  name: 'text-field',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Turns records into texts: picks the text field and, for classification, the label field.',
  description:
    'Labels: with `labels`, a record\'s label is the index of its value in that list. Without it, `true`/`false` become 1/0, whole numbers >= 0 are used as they are, and strings are numbered in sorted order (which needs the whole stream first).',
  input: ['records'],
  output: 'texts',
  schema: {
    type: 'object',
    properties: {
      field: { type: 'string', description: 'The field holding the text (omit when each record is a string).' },
      label: { type: 'string', description: 'The field holding the class (for classification).' },
      labels: {
        type: 'array',
        minItems: 2,
        uniqueItems: true,
        items: { type: ['string', 'number', 'boolean'] },
        description: 'The classes in index order, e.g. ["ham", "spam"].',
      },
    },
  },
  example: { stage: 'text-field', field: 'body', label: 'category', labels: ['ham', 'spam'] },
  check: (o, ctx) => [...unknownField(o.field, '/field', ctx), ...unknownField(o.label, '/label', ctx)],
  create: (o, ctx): OperatorFunction<Item<unknown>, Item<string>> => {
    const texts = map((item: Item<unknown>, index: number): Item<string> & { raw?: unknown } => {
      const text = fieldOf('text-field', item.value, o.field, index, 'the text');
      if (typeof text !== 'string') {
        throw new LoopflowError('DATA_BAD_VALUE', `text-field: record ${index}${o.field ? ` field '${o.field}'` : ''} is ${showValue(text)}; expected a string${o.field ? '' : "; name the text's field with field"}`);
      }
      const out: Item<string> & { raw?: unknown } = { ...item, value: text };
      if (o.label !== undefined) out.raw = fieldOf('text-field', item.value, o.label, index, 'the label');
      return out;
    });
    if (o.label === undefined) return texts;
    if (o.labels) {
      const names = o.labels.map(String);
      ctx.artifacts.labels = names;
      return (source) =>
        source.pipe(
          texts,
          map(({ raw, ...item }, index) => {
            const label = names.indexOf(String(raw));
            if (label < 0) throw new LoopflowError('DATA_BAD_VALUE', `text-field: record ${index} has label ${JSON.stringify(raw)}, which is not in labels [${names.join(', ')}]; add it to labels or fix the data`);
            return { ...item, label };
          }),
        );
    }
    return (source) =>
      source.pipe(
        texts,
        toArray(),
        concatMap((items) => {
          const raws = items.map((i) => i.raw);
          let toLabel: (raw: unknown, index: number) => number;
          if (raws.every((r) => typeof r === 'boolean')) {
            ctx.artifacts.labels = ['false', 'true'];
            toLabel = (r) => (r ? 1 : 0);
          } else if (raws.every((r) => typeof r === 'number' && Number.isInteger(r) && r >= 0)) {
            toLabel = (r) => r as number;
          } else {
            const names = [...new Set(raws.map(String))].sort();
            ctx.artifacts.labels = names;
            toLabel = (r) => names.indexOf(String(r));
          }
          return from(items.map(({ raw, ...item }, index) => ({ ...item, label: toLabel(raw, index) })));
        }),
      );
  },
});

/** A decimal number as written in data (what the csv source's number columns read). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A field the records do not have, when validation knows their keys (a csv source's header or
 * its columns): found before the run instead of at its first record.
 */
function unknownField(field: string | undefined, at: string, ctx: StageContext): StageIssue[] {
  if (field === undefined || !ctx.fields || ctx.fields.includes(field)) return [];
  const near = closest(field, ctx.fields);
  return [
    {
      path: at,
      message: `the records have no field '${field}'`,
      expected: `one of their fields: ${ctx.fields.map((f) => `'${f}'`).join(', ')}`,
      found: `'${field}'`,
      hint: near !== undefined ? `did you mean '${near}'?` : "name a field of the records (a csv source's columns, or its header)",
    },
  ];
}

/** Options of `numeric-columns`. */
export interface NumericColumnsOptions {
  columns: string[];
}

/** `numeric-columns`: turns records into numeric rows for a series. */
export const numericColumnsStage = defineStage<NumericColumnsOptions>({
  name: 'numeric-columns',
  plugin: 'data',
  category: 'preprocess',
  summary: 'Turns records into numeric rows (one per time step) from the named columns, in order.',
  input: ['records'],
  output: 'rows',
  schema: {
    type: 'object',
    required: ['columns'],
    properties: { columns: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' }, description: 'The columns of each row.' } },
  },
  example: { stage: 'numeric-columns', columns: ['CO2'] },
  check: (o, ctx) => o.columns.flatMap((c, i) => unknownField(c, `/columns/${i}`, ctx)),
  create: (o, ctx) =>
    map((item: Item<unknown>, index: number): Item<number[]> => {
      ctx.artifacts.columns = o.columns.slice();
      const row = o.columns.map((c) => {
        const raw = fieldOf('numeric-columns', item.value, c, index, 'a numeric column');
        const x = typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw) : raw; // decimals only: not 0x10, 0b1, Infinity
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw new LoopflowError('DATA_BAD_VALUE', `numeric-columns: record ${index} column '${c}' is ${showValue(raw)}; expected a finite number (give the csv source column types, or skip bad rows with onBadRow: 'skip')`);
        }
        return x;
      });
      return { ...item, value: row };
    }),
});
