import { map, OperatorFunction } from 'rxjs';

/** The parts of a dataset. */
export type SplitName = 'train' | 'validation' | 'test';

/** The splits in order. */
export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * One element of an item stream (records, texts, tokens, ids, rows, samples): the value, the
 * split it belongs to once a split stage has run, and its class label when it has one.
 */
export interface Item<V> {
  readonly value: V;
  readonly split?: SplitName;
  readonly label?: number;
}

/** Maps each item's value, keeping its split and label. */
export function mapValue<A, B>(fn: (value: A, item: Item<A>) => B): OperatorFunction<Item<A>, Item<B>> {
  return map((item: Item<A>) => ({ ...item, value: fn(item.value, item) }));
}

/** Items grouped by split, each group in stream order (items without a split go to 'train'). */
export function bySplit<V>(items: readonly Item<V>[]): Record<SplitName, Item<V>[]> {
  const out: Record<SplitName, Item<V>[]> = { train: [], validation: [], test: [] };
  for (const item of items) out[item.split ?? 'train'].push(item);
  return out;
}
