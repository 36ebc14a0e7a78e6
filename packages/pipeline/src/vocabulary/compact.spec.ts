import { from, lastValueFrom, toArray } from 'rxjs';
import type { Sample } from '@loopflow/data';
import { collectItems, ItemBuffer } from './item-buffer';
import type { Item } from './items';
import { lazyArray } from './lazy-array';
import { CompactSamples } from './sample-list';
import { WindowSample, WindowSource } from './window-samples';
import { CHUNK_BITS, idColumn } from './chunked';

const drained = <V>(buffer: ItemBuffer<V>): Promise<Item<V>[]> => lastValueFrom(buffer.drain().pipe(toArray()));

describe('ItemBuffer', () => {
  it('holds rows of one width in the rows layout and gives back the items pushed (values, splits, labels, -0 and NaN kept)', async () => {
    const items: Item<number[]>[] = Array.from({ length: (1 << CHUNK_BITS) + 5 }, (_, i) => ({ value: [i, -i / 7, i % 3 === 0 ? -0 : NaN], ...(i % 2 ? { split: 'test' as const } : {}), ...(i % 5 === 0 ? { label: i % 3 } : {}) }));
    const buffer = await lastValueFrom(from(items).pipe(collectItems<number[]>()));
    expect(buffer.layout).toBe('rows');
    expect(buffer.number(9, 1)).toBe(-9 / 7);
    expect([...buffer.valuesOf('test')]).toHaveLength(Math.floor(items.length / 2));
    buffer.setSplit(0, 'validation');
    const out = await drained(buffer);
    expect(out).toHaveLength(items.length);
    expect(out[0]).toEqual({ ...items[0], split: 'validation' });
    for (const i of [1, 5, 21_845, 21_846, 43_691, items.length - 1]) expect(out[i]).toEqual(items[i]); // rows across the chunks of 2^16 numbers
    expect(Object.is(out[3].value[2], -0)).toBe(true);
    expect(buffer.length).toBe(0); // emptied by the drain
  });

  it('holds token lists (interned) and int32 id lists in the lists layout; other values as objects', async () => {
    const tokens: Item<string[]>[] = [{ value: ['a', 'b'], split: 'train', label: 1 }, { value: [] }, { value: ['b', 'c', 'a'], split: 'test' }];
    const t = new ItemBuffer<string[]>();
    tokens.forEach((item) => t.push(item));
    expect(t.layout).toBe('lists');
    expect(await drained(t)).toEqual(tokens);

    // rows first (one width), then a longer list: moved to lists; then a fraction: objects
    const ids = new ItemBuffer<number[]>();
    ids.push({ value: [4, 5] });
    ids.push({ value: [6, 7] });
    expect(ids.layout).toBe('rows');
    ids.push({ value: [1, 2, 3], label: 2 });
    expect(ids.layout).toBe('lists');
    expect([...ids.valuesOf('train')]).toEqual([[4, 5], [6, 7], [1, 2, 3]]);
    ids.push({ value: [0.5] });
    expect(ids.layout).toBe('objects');
    expect(await drained(ids)).toEqual([{ value: [4, 5] }, { value: [6, 7] }, { value: [1, 2, 3], label: 2 }, { value: [0.5] }]);

    const texts = new ItemBuffer<string>();
    texts.push({ value: 'spam', split: 'train' });
    expect(texts.layout).toBe('objects');
    expect(await drained(texts)).toEqual([{ value: 'spam', split: 'train' }]);
  });

  it("drain(fn) maps each item; an error thrown by fn ends the stream with it", async () => {
    const buffer = new ItemBuffer<number[]>();
    [[1], [2], [3]].forEach((value) => buffer.push({ value }));
    await expect(lastValueFrom(buffer.drain((item, i) => {
      if (i === 2) throw new Error('bad row 2');
      return { ...item, value: item.value.map((v) => v * 10) };
    }).pipe(toArray()))).rejects.toThrow('bad row 2');
  });
});

describe('idColumn', () => {
  it('holds ids as uint16 and widens every chunk to int32 at the first id beyond 65535 (or below 0), keeping the ids held', () => {
    const ids = idColumn();
    const n = (1 << CHUNK_BITS) + 3;
    for (let i = 0; i < n; i++) ids.push(i % 65536);
    ids.push(70000);
    ids.push(-2);
    expect([ids.get(0), ids.get(65535), ids.get(65536), ids.get(n - 1), ids.get(n), ids.get(n + 1)]).toEqual([0, 65535, 0, 2, 70000, -2]);
  });
});

describe('CompactSamples', () => {
  const source: WindowSource = { value: (row, c) => row * 10 + c, rowOf: (j) => 100 + j, indexBase: 100, lookBack: 3, horizon: 2, targetSkip: 0, stride: 2, inputColumns: [0, 1], targetColumns: [1] };

  it('holds windows as runs of starts and makes them again, equal to the windows pushed', () => {
    const other: WindowSource = { ...source, stride: 1, targetSkip: 1 };
    const windows = [0, 2, 4, 6, 10, 12].map((s) => new WindowSample(source, s)).concat([0, 1, 2].map((s) => new WindowSample(other, s)));
    const list = new CompactSamples();
    windows.forEach((w) => list.push(w));
    expect(list.layout).toBe('windows');
    expect(list.length).toBe(9);
    const plain = (s: Sample) => ({ kind: s.kind, input: s.input, target: (s as { target: unknown }).target, index: (s as { index: number }).index });
    expect(list.map(plain)).toEqual(windows.map(plain));
    expect(plain(list.at(4) as Sample)).toEqual({ kind: 'series', index: 110, input: [[1100, 1101], [1110, 1111], [1120, 1121]], target: [[1131], [1141]] });
    expect((list.at(8) as WindowSample).target).toEqual([[1061]]); // start 2, rows 102-104 in, targetSkip 1: only row 106
    expect(list.inputLength(5)).toBe(3);
    expect(list.slice(-2).map(plain)).toEqual(windows.slice(-2).map(plain));
  });

  it('holds labelled and token samples as int32 ids, anything else as objects (a mix too)', () => {
    const labelled: Sample[] = [{ kind: 'labelled', input: [5, 6, 7], label: 1 }, { kind: 'labelled', input: [8], label: 0 }];
    const list = new CompactSamples();
    labelled.forEach((s) => list.push(s));
    expect(list.layout).toBe('labelled');
    expect([...list]).toEqual(labelled);
    const mixed: Sample = { kind: 'tokens', input: [1, 2], target: [2, 3] };
    list.push(mixed);
    expect(list.layout).toBe('objects');
    expect([...list]).toEqual([...labelled, mixed]);
    const tokens = new CompactSamples();
    tokens.push(mixed);
    expect(tokens.layout).toBe('tokens');
    expect(tokens.at(0)).toEqual(mixed);
    expect(tokens.at(1)).toBeUndefined();
  });
});

describe('lazyArray', () => {
  it('reads like a read-only array whose elements are made when read', () => {
    let made = 0;
    const rows = lazyArray(4, (i) => (made++, [i, i * 2]));
    expect(made).toBe(0);
    expect(Array.isArray(rows)).toBe(true);
    expect(rows.length).toBe(4);
    expect(rows[2][1]).toBe(4);
    expect(rows[4]).toBeUndefined();
    expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3]);
    expect([...rows].slice(-1)).toEqual([[3, 6]]);
    expect(rows.slice(1, 2)).toEqual([[1, 2]]);
    expect(Object.keys(rows)).toEqual(['0', '1', '2', '3']);
    expect(rows).toEqual([[0, 0], [1, 2], [2, 4], [3, 6]]);
    expect(JSON.stringify(rows)).toBe('[[0,0],[1,2],[2,4],[3,6]]');
    expect(() => ((rows as number[][])[0] = [9])).toThrow(TypeError);
  });
});
