import { from, lastValueFrom, toArray } from 'rxjs';
import { randomSplit } from './random-split';
import { chronologicalSplit } from './chronological-split';
import { groupedSplit } from './grouped-split';
import { seriesWindows } from '../series/series-windows';
import { Scaler } from '../scalers/scaler';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('randomSplit', () => {
  it('partitions with the requested sizes, deterministic per seed, original order inside parts', () => {
    const items = range(1000);
    const a = randomSplit(items, { seed: 5, validation: 0.2, test: 0.1 });
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([700, 200, 100]);
    expect([...a.train, ...a.validation, ...a.test].sort((x, y) => x - y)).toEqual(items);
    expect(a.validation).toEqual([...a.validation].sort((x, y) => x - y));
    expect(randomSplit(items, { seed: 5, validation: 0.2, test: 0.1 })).toEqual(a);
    expect(randomSplit(items, { seed: 6, validation: 0.2, test: 0.1 }).test).not.toEqual(a.test);
    // the validation part is spread over the whole range, not a block
    expect(Math.min(...a.validation)).toBeLessThan(50);
    expect(Math.max(...a.validation)).toBeGreaterThan(950);
  });

  it('rejects fractions that leave no training data', () => {
    expect(() => randomSplit(range(10), { seed: 1, validation: 0.5, test: 0.5 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    expect(() => randomSplit(range(10), { seed: 1, validation: -0.1 })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
  });
});

describe('chronologicalSplit', () => {
  it('keeps time order and gives later parts only context rows from earlier parts', () => {
    const s = chronologicalSplit(range(100), { validation: 0.2, test: 0.1, context: 5 });
    expect(s.ranges).toEqual({ train: [0, 70], validation: [70, 90], test: [90, 100] });
    expect(s.train).toEqual(range(70));
    expect(s.validation).toEqual(range(25).map((i) => 65 + i));
    expect(s.test[0]).toBe(85);
  });

  it('has no look-ahead: a scaler fitted on train sees no later value; window targets stay in their part', async () => {
    const rows = range(200).map((t) => [t * 1.5 + 10]); // increasing series
    const lookBack = 12;
    const s = chronologicalSplit(rows, { validation: 0.15, test: 0.15, context: lookBack });
    const scaler = Scaler.fit('minmax', s.train);
    expect(scaler.toJSON().offset[0] + scaler.toJSON().scale[0]).toBe(rows[s.ranges.train[1] - 1][0]); // max of train only
    // every validation value is above the training range, so scales above 1: it was not used for fitting
    for (const r of rows.slice(...s.ranges.validation)) expect(scaler.transform(r)[0]).toBeGreaterThan(1);
    const windows = async (part: number[][], offset: number) =>
      (await lastValueFrom(from(part).pipe(seriesWindows({ lookBack, horizon: 3 }), toArray()))).map((w) => ({ firstTarget: offset + w.index + lookBack, lastTarget: offset + w.index + lookBack + 2 }));
    const train = await windows(s.train, 0);
    const validation = await windows(s.validation, s.ranges.validation[0] - lookBack);
    expect(Math.max(...train.map((w) => w.lastTarget))).toBeLessThan(s.ranges.train[1]);
    expect(validation[0].firstTarget).toBe(s.ranges.validation[0]);
    expect(Math.max(...validation.map((w) => w.lastTarget))).toBeLessThan(s.ranges.validation[1]);
  });
});

describe('groupedSplit', () => {
  it('never puts two items of one group in different parts', () => {
    const items = range(1000).map((i) => ({ id: i, group: i % 37 === 0 ? 'big' : `g${Math.floor(i / 3)}` }));
    const s = groupedSplit(items, { seed: 9, validation: 0.1, test: 0.1, groupOf: (x) => x.group });
    const where = new Map<string, string>();
    for (const [name, part] of Object.entries(s)) {
      for (const x of part as typeof items) {
        expect(where.get(x.group) ?? name).toBe(name);
        where.set(x.group, name);
      }
    }
    expect(s.train.length + s.validation.length + s.test.length).toBe(1000);
    expect(s.validation.length).toBeGreaterThanOrEqual(100);
    expect(s.validation.length).toBeLessThan(140);
    expect(groupedSplit(items, { seed: 9, validation: 0.1, test: 0.1, groupOf: (x) => x.group })).toEqual(s);
  });

  it('keeps a group of 300k members whole (no push spread: issue 16)', () => {
    const items = Array.from({ length: 300_010 }, (_, i) => ({ id: i, group: i < 300_000 ? 'big' : `g${i}` }));
    const s = groupedSplit(items, { seed: 1, validation: 0.1, test: 0.1, groupOf: (x) => x.group });
    const parts = [s.train, s.validation, s.test].filter((p) => p.some((x) => x.group === 'big'));
    expect(parts).toHaveLength(1);
    expect(parts[0].filter((x) => x.group === 'big')).toHaveLength(300_000);
  });
});
