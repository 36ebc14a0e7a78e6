import { map, Observable, OperatorFunction } from 'rxjs';

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

/**
 * Emits the elements of an array the stage owns (one `toArray` made, or the stage built),
 * clearing each slot as it goes, and empties the array at the end: a stage that collects its
 * stream (a split, a scaler fit) then holds no element downstream has taken, so the items of
 * every collecting stage are not all alive at once.
 *
 * @example concatMap((items) => drain(tagInPlace(items)))
 */
export function drain<T>(items: T[]): Observable<T> {
  return new Observable<T>((subscriber) => {
    for (let i = 0; i < items.length && !subscriber.closed; i++) {
      const item = items[i];
      (items as (T | undefined)[])[i] = undefined;
      subscriber.next(item);
    }
    items.length = 0;
    subscriber.complete();
  });
}

/**
 * Replaces each element of an array the stage owns by `fn` of it, in the same array (no
 * second array of every item alive beside the first), and returns it under its new type.
 *
 * @example drain(mapInPlace(items, (item) => ({ ...item, value: encode(item.value) })))
 */
export function mapInPlace<A, B>(items: A[], fn: (item: A, index: number) => B): B[] {
  const out = items as unknown[];
  for (let i = 0; i < items.length; i++) out[i] = fn(items[i], i);
  return out as B[];
}

/** Items grouped by split, each group in stream order (items without a split go to 'train'). */
export function bySplit<V>(items: readonly Item<V>[]): Record<SplitName, Item<V>[]> {
  const out: Record<SplitName, Item<V>[]> = { train: [], validation: [], test: [] };
  for (const item of items) out[item.split ?? 'train'].push(item);
  return out;
}
