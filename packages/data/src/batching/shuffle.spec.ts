import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { shuffle } from './shuffle';
import { marbles } from '../testing/marbles';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const run = (items: number[], opts: Parameters<typeof shuffle>[0]) => lastValueFrom(from(items).pipe(shuffle<number>(opts), toArray()));

describe('shuffle', () => {
  it('emits a permutation at completion, the same for the same seed and epoch', async () => {
    const a = await run(range(100), { seed: 1, epoch: 0 });
    expect([...a].sort((x, y) => x - y)).toEqual(range(100));
    expect(a).not.toEqual(range(100));
    expect(await run(range(100), { seed: 1, epoch: 0 })).toEqual(a);
    expect(await run(range(100), { seed: 1, epoch: 1 })).not.toEqual(a);
    expect(await run(range(100), { seed: 2, epoch: 0 })).not.toEqual(a);
  });

  it('is close to uniform: each item lands in each position about equally often', async () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array(n).fill(0));
    const epochs = 2000;
    for (let e = 0; e < epochs; e++) (await run(range(n), { seed: 'u', epoch: e })).forEach((item, pos) => counts[item][pos]++);
    for (const row of counts) for (const c of row) expect(Math.abs(c - epochs / n)).toBeLessThan(epochs / n * 0.2);
  });

  it('with a buffer, holds at most bufferSize items and still emits a permutation', () => {
    const items = range(1000);
    const out: number[] = [];
    let arrived = 0;
    let maxHeld = 0;
    from(items)
      .pipe(
        tap(() => (arrived += 1)),
        shuffle<number>({ seed: 3, bufferSize: 10 }),
      )
      .subscribe((v) => {
        out.push(v);
        maxHeld = Math.max(maxHeld, arrived - out.length); // still held after this emission
      });
    expect([...out].sort((x, y) => x - y)).toEqual(items);
    expect(maxHeld).toBeLessThanOrEqual(10);
    // nothing leaves before it arrives: the item at position p arrived among the first p + 10
    out.forEach((v, pos) => expect(v).toBeLessThan(pos + 10));
    expect(out).not.toEqual(items);
  });

  it('marble: holds every item until completion, passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a: 1, b: 2 }).pipe(shuffle<number>({ seed: 0 })).pipe(toArray())).toBe('--(x|)', { x: expect.arrayContaining([1, 2]) });
      expectObservable(cold('a#', { a: 1 }, 'io').pipe(shuffle<number>({ seed: 0 }))).toBe('-#', undefined, 'io');
    });
  });
});
