import { Observable, OperatorFunction } from 'rxjs';
import { ChunkedColumn, float64Column, GrowingColumn, idColumn, isInt32 } from './chunked';
import type { Item, SplitName } from './items';

const SPLIT_CODES: readonly (SplitName | undefined)[] = [undefined, 'train', 'validation', 'test'];
const HAS_LABEL = 4;

/**
 * How an {@link ItemBuffer} holds its values:
 * - `rows`: arrays of numbers of one width (a series' rows), in one float64 column, row-major;
 * - `lists`: arrays of int32 numbers (token ids) or of strings (tokens, each interned once), of
 *   any length, in one int32 column with a start per item;
 * - `objects`: anything else, as the items themselves.
 */
export type ItemBufferLayout = 'rows' | 'lists' | 'objects';

/**
 * The items a collecting stage (a split, `scale`, `vocabulary`, `windows`) holds until its
 * stream completes, in a compact layout (issue 16): a series row costs its numbers (8 bytes
 * each) and a byte for its split instead of an item object and an array; a token list costs 4
 * bytes a token. The values are made again, as arrays, when read (`itemAt`, `valueAt`,
 * `drain`); {@link drain} frees the buffer as it emits, so the buffers of two stages are not
 * both whole at once. The layout follows the values pushed: it starts as `rows` or `lists`
 * and moves on (`lists`, then `objects`) at the first item that does not fit it.
 *
 * @example
 * const buffer = new ItemBuffer<number[]>();
 * items$.subscribe((item) => buffer.push(item)); // then, at completion:
 * buffer.drain((item) => ({ ...item, value: scaler.transform(item.value) }));
 */
export class ItemBuffer<V> {
  private layoutNow: ItemBufferLayout | undefined;
  private readonly meta = new GrowingColumn((n) => new Uint8Array(n));
  private labels: GrowingColumn<Float64Array> | undefined;
  // rows
  private width = -1;
  private numbers: ChunkedColumn<Float64Array> | undefined;
  // lists
  private ids: ChunkedColumn<Int32Array | Uint16Array> | undefined;
  private starts: GrowingColumn<Float64Array> | undefined;
  private listKind: 'numbers' | 'strings' | undefined;
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  // objects
  private objects: (Item<V> | undefined)[] = [];

  /** Items pushed. */
  get length(): number {
    return this.meta.length;
  }

  /** The layout the values are held in (undefined before the first item). */
  get layout(): ItemBufferLayout | undefined {
    return this.layoutNow;
  }

  /** `rows` layout: the width of every row. */
  get rowWidth(): number {
    return this.width;
  }

  /** Appends an item (its value is copied in, or kept as it is in the `objects` layout). */
  push(item: Item<V>): void {
    if (this.layoutNow === undefined) this.layoutNow = firstLayout(item.value);
    if (!this.fits(item.value)) this.moveOn(item.value);
    const value = item.value as unknown;
    if (this.layoutNow === 'rows') {
      const row = value as readonly number[];
      if (this.width < 0) this.width = row.length;
      const numbers = (this.numbers ??= float64Column());
      for (let c = 0; c < row.length; c++) numbers.push(row[c]);
    } else if (this.layoutNow === 'lists') {
      const list = value as readonly (number | string)[];
      const ids = (this.ids ??= idColumn());
      if (!this.starts) {
        this.starts = new GrowingColumn((n) => new Float64Array(n));
        this.starts.push(0);
      }
      if (list.length > 0) this.listKind ??= typeof list[0] === 'string' ? 'strings' : 'numbers';
      for (let t = 0; t < list.length; t++) ids.push(this.listKind === 'strings' ? this.intern(list[t] as string) : (list[t] as number));
      this.starts.push(ids.length);
    } else {
      this.objects.push(item);
    }
    const code = SPLIT_CODES.indexOf(item.split);
    const hasLabel = item.label !== undefined;
    this.meta.push((code < 0 ? 0 : code) | (hasLabel ? HAS_LABEL : 0));
    if (hasLabel && !this.labels) {
      this.labels = new GrowingColumn((n) => new Float64Array(n));
      for (let i = 0; i < this.meta.length - 1; i++) this.labels.push(0);
    }
    this.labels?.push(item.label ?? 0);
  }

  /** The split of item `i` (undefined before a split stage). */
  splitOf(i: number): SplitName | undefined {
    return this.layoutNow === 'objects' ? this.objects[i]?.split : SPLIT_CODES[this.meta.array[i] & 3];
  }

  /** Sets the split of item `i`. */
  setSplit(i: number, split: SplitName): void {
    if (this.layoutNow === 'objects') this.objects[i] = { ...(this.objects[i] as Item<V>), split };
    else this.meta.array[i] = (this.meta.array[i] & ~3) | SPLIT_CODES.indexOf(split);
  }

  /** `rows` layout: column `c` of row `i`, without making the row. */
  number(i: number, c: number): number {
    return (this.numbers as ChunkedColumn<Float64Array>).get(i * this.width + c);
  }

  /** The value of item `i`, made again (a new array in the `rows` and `lists` layouts). */
  valueAt(i: number): V {
    if (this.layoutNow === 'rows') {
      const row = new Array<number>(this.width);
      for (let c = 0; c < this.width; c++) row[c] = this.number(i, c);
      return row as V;
    }
    if (this.layoutNow === 'lists') {
      const starts = (this.starts as GrowingColumn<Float64Array>).array;
      const ids = this.ids as ChunkedColumn<Int32Array | Uint16Array>;
      const list = new Array<number | string>(starts[i + 1] - starts[i]);
      for (let t = 0; t < list.length; t++) {
        const id = ids.get(starts[i] + t);
        list[t] = this.listKind === 'strings' ? this.strings[id] : id;
      }
      return list as V;
    }
    return (this.objects[i] as Item<V>).value;
  }

  /** Item `i`, made again: its value, split and label. */
  itemAt(i: number): Item<V> {
    if (this.layoutNow === 'objects') return this.objects[i] as Item<V>;
    const meta = this.meta.array[i];
    const split = SPLIT_CODES[meta & 3];
    const value = this.valueAt(i);
    const label = meta & HAS_LABEL ? (this.labels as GrowingColumn<Float64Array>).array[i] : undefined;
    return { value, ...(label !== undefined ? { label } : {}), ...(split !== undefined ? { split } : {}) };
  }

  /** The values of the items of one split (items without a split count as 'train'), made one at a time. */
  *valuesOf(split: SplitName): Generator<V> {
    for (let i = 0; i < this.length; i++) if ((this.splitOf(i) ?? 'train') === split) yield this.valueAt(i);
  }

  /**
   * Emits every item (`fn` of it, when given) in order, freeing the buffer as it goes, and
   * empties it at the end; an error thrown by `fn` ends the stream with it.
   */
  drain<W = V>(fn?: (item: Item<V>, index: number) => Item<W>): Observable<Item<W>> {
    return new Observable<Item<W>>((subscriber) => {
      const n = this.length;
      for (let i = 0; i < n && !subscriber.closed; i++) {
        const item = this.itemAt(i);
        if (this.layoutNow === 'objects') this.objects[i] = undefined;
        else if (this.layoutNow === 'rows') this.numbers?.release((i + 1) * this.width);
        else this.ids?.release((this.starts as GrowingColumn<Float64Array>).array[i + 1]);
        let out: Item<W>;
        try {
          out = fn ? fn(item, i) : (item as unknown as Item<W>);
        } catch (e) {
          this.clear();
          subscriber.error(e);
          return;
        }
        subscriber.next(out);
      }
      this.clear();
      subscriber.complete();
    });
  }

  /** Frees everything. */
  clear(): void {
    this.numbers?.clear();
    this.ids?.clear();
    this.starts = undefined;
    this.objects = [];
    this.meta.length = 0;
    this.meta.array = new Uint8Array(16);
    this.labels = undefined;
  }

  private intern(token: string): number {
    let id = this.stringIds.get(token);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(token);
      this.stringIds.set(token, id);
    }
    return id;
  }

  /** Whether a value fits the current layout. */
  private fits(value: unknown): boolean {
    if (this.layoutNow === 'objects') return true;
    if (this.layoutNow === 'rows') return isNumberRow(value) && (this.width < 0 || value.length === this.width);
    return fitsList(value, this.listKind);
  }

  /** Moves every item held so far to the next layout that fits them and `value` (`rows` -> `lists` -> `objects`). */
  private moveOn(value: unknown): void {
    const held = Array.from({ length: this.length }, (_, i) => this.itemAt(i));
    let kind = listKindOf(value);
    for (const item of held) kind ??= listKindOf(item.value);
    const lists = this.layoutNow === 'rows' && fitsList(value, kind) && held.every((item) => fitsList(item.value, kind));
    this.clear();
    this.width = -1;
    this.numbers = undefined;
    this.ids = undefined;
    this.listKind = undefined;
    this.layoutNow = lists ? 'lists' : 'objects';
    for (const item of held) this.push(item);
  }
}

function isNumberRow(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}

/** The kind of list a value is: 'strings', 'numbers' (int32 ids), or undefined (empty, or neither). */
function listKindOf(value: unknown): 'numbers' | 'strings' | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return typeof value[0] === 'string' ? 'strings' : 'numbers';
}

/** Whether a value is a list of `kind` (any kind when undefined): strings, or int32 numbers. */
function fitsList(value: unknown, kind: 'numbers' | 'strings' | undefined): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  const k = kind ?? listKindOf(value);
  return k === 'strings' ? value.every((x) => typeof x === 'string') : value.every((x) => typeof x === 'number' && isInt32(x));
}

/** The layout a first value suggests: `rows` for an array of numbers, `lists` for an array of strings, else `objects`. */
function firstLayout(value: unknown): ItemBufferLayout {
  if (!Array.isArray(value)) return 'objects';
  if (value.every((x) => typeof x === 'number')) return 'rows';
  return value.every((x) => typeof x === 'string') ? 'lists' : 'objects';
}

/**
 * Collects a stream of items into one {@link ItemBuffer}, emitted when the stream completes
 * (an empty buffer for an empty stream): `toArray()` for the collecting stages, compact.
 *
 * @example source.pipe(collectItems(), concatMap((buffer) => buffer.drain()))
 */
export function collectItems<V>(): OperatorFunction<Item<V>, ItemBuffer<V>> {
  return (source) =>
    new Observable<ItemBuffer<V>>((subscriber) => {
      const buffer = new ItemBuffer<V>();
      return source.subscribe({
        next: (item) => buffer.push(item),
        error: (e) => subscriber.error(e),
        complete: () => {
          subscriber.next(buffer);
          subscriber.complete();
        },
      });
    });
}
