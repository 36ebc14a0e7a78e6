/**
 * A read-only array whose elements are made when read, from a compact store (issue 16): the
 * series rows kept as an artifact (`windowRows`, `difference`) are read by index in a few
 * places (evaluation in the original units, the seasonal baselines), and a row made on each
 * read costs nothing while it is not read, where an array per row cost ~100 bytes a row for
 * the whole run. `Array.isArray` holds, indexing, `length`, iteration, the array methods,
 * `Object.keys` and deep equality work; writing throws (`TypeError`, as on a frozen array).
 *
 * @example
 * const rows = lazyArray(buffer.length, (i) => buffer.valueAt(i)); // rows[7][0], rows.map(...)
 */
export function lazyArray<T>(length: number, at: (index: number) => T): readonly T[] {
  const index = (key: string | symbol): number => {
    if (typeof key !== 'string') return -1;
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < length && String(i) === key ? i : -1;
  };
  const refuse = (): boolean => {
    throw new TypeError(`lazyArray: the array is read-only (its ${length} elements are made from a compact store when read)`);
  };
  return new Proxy([] as T[], {
    get(target, key, receiver) {
      if (key === 'length') return length;
      const i = index(key);
      return i >= 0 ? at(i) : Reflect.get(target, key, receiver);
    },
    has: (target, key) => index(key) >= 0 || Reflect.has(target, key),
    // own keys and descriptors as an array's (Object.keys, deep equality); listing them makes a string per element
    ownKeys: (target) => [...Array.from({ length }, (_, i) => String(i)), ...Reflect.ownKeys(target).filter((key) => key !== 'length'), 'length'],
    getOwnPropertyDescriptor(target, key) {
      if (key === 'length') return { value: length, writable: true, enumerable: false, configurable: false };
      const i = index(key);
      return i >= 0 ? { value: at(i), writable: false, enumerable: true, configurable: true } : Reflect.getOwnPropertyDescriptor(target, key);
    },
    set: refuse,
    defineProperty: refuse,
    deleteProperty: refuse,
  });
}
