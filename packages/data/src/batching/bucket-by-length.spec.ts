import { from, lastValueFrom, map, toArray } from 'rxjs';
import { bucketByLength } from './bucket-by-length';
import type { Sample } from '../sequences/samples';
import { errorCode, marbles } from '../testing/marbles';
import { Random } from '@loopflow/tensor';

const lab = (n: number): Sample => ({ kind: 'labelled', input: Array.from({ length: n }, (_, i) => i + 1), label: n % 2 });

describe('bucketByLength', () => {
  it('emits a bucket when it fills, and the rest at completion, shortest bucket first', () => {
    marbles().run(({ cold, expectObservable }) => {
      const src = cold('abcde|', { a: lab(1), b: lab(9), c: lab(2), d: lab(3), e: lab(8) });
      const out = src.pipe(bucketByLength({ batchSize: 2, boundaries: [2, 5] }), map((b) => b.lengths));
      expectObservable(out).toBe('--x-z(y|)', { x: [1, 2], y: [3], z: [9, 8] });
    });
  });

  it('pads less than arrival-order batching on mixed lengths, and loses no sample', async () => {
    const rng = new Random(4);
    const samples = Array.from({ length: 400 }, () => lab(1 + rng.int(40)));
    const batches = await lastValueFrom(from(samples).pipe(bucketByLength({ batchSize: 16, boundaries: [5, 10, 20, 30] }), toArray()));
    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(400);
    const padding = (bs: { lengths: readonly number[] }[]) => bs.reduce((n, b) => n + Math.max(...b.lengths) * b.lengths.length - b.lengths.reduce((x, y) => x + y, 0), 0);
    const inOrder = [];
    for (let i = 0; i < samples.length; i += 16) inOrder.push({ lengths: samples.slice(i, i + 16).map((s) => s.input.length) });
    expect(padding(batches)).toBeLessThan(padding(inOrder) / 3);
  });

  it('rejects boundaries that do not increase; passes errors through', () => {
    expect(() => bucketByLength({ batchSize: 2, boundaries: [5, 5] })).toThrow(expect.objectContaining({ code: 'DATA_INVALID_ARGUMENT' }));
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('a#', { a: lab(1) }, 'io').pipe(bucketByLength({ batchSize: 2, boundaries: [3] }), errorCode())).toBe('-#', undefined, 'io');
      const mixed = cold('ab|', { a: lab(1), b: { kind: 'tokens', input: [1], target: [2] } as Sample });
      expectObservable(mixed.pipe(bucketByLength({ batchSize: 2, boundaries: [3] }), errorCode())).toBe('-#', undefined, 'DATA_SHAPE');
    });
  });
});
