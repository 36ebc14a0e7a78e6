import { from } from 'rxjs';
import { Batch, batch, bucketByLength, Sample, shuffle } from '@loopflow/data';
import { BatchingOptions, batchesOf, countBatches, makeBatches, shuffledOrder } from './prepared';
import { CompactSamples } from './sample-list';
import type { SplitName } from './items';
import { collectSync } from './sync';

describe('countBatches', () => {
  it.each([
    [{ batchSize: 4, shuffle: true, dropRemainder: false }],
    [{ batchSize: 4, shuffle: true, dropRemainder: true }],
    [{ batchSize: 3, shuffle: false, dropRemainder: false, bucketBoundaries: [2, 4] }],
    [{ batchSize: 3, shuffle: true, dropRemainder: true, bucketBoundaries: [2, 4] }],
    [{ batchSize: 100, shuffle: true, dropRemainder: true }],
  ])('counts, without making them, the batches makeBatches makes: %j', (options) => {
    const samples: Sample[] = Array.from({ length: 23 }, (_, i) => ({ kind: 'tokens', input: Array(1 + ((i * 5) % 7)).fill(4), target: Array(1 + ((i * 5) % 7)).fill(5) }));
    for (const split of ['train', 'validation'] as const) {
      expect(countBatches(samples, options, 1, split)).toBe(collectSync(makeBatches(samples, options, 1, split)).length);
    }
  });
});

describe('batchesOf / makeBatches', () => {
  // the operators of @loopflow/data the batches were made with before the samples were held compactly
  const reference = (samples: Sample[], options: BatchingOptions, seed: number, split: SplitName, epoch: number): Batch[] => {
    const training = split === 'train';
    let source = from(samples);
    if (training && options.shuffle) source = source.pipe(shuffle({ seed: `${seed}/batches`, epoch }));
    const dropRemainder = training && options.dropRemainder;
    return collectSync(
      options.bucketBoundaries ? source.pipe(bucketByLength({ batchSize: options.batchSize, boundaries: options.bucketBoundaries, dropRemainder })) : source.pipe(batch({ batchSize: options.batchSize, dropRemainder })),
    );
  };
  const samples: Sample[] = Array.from({ length: 53 }, (_, i) => ({ kind: 'labelled', input: Array.from({ length: 1 + ((i * 5) % 9) }, (_, t) => 4 + ((i + t) % 11)), label: i % 3 }));

  it.each([
    [{ batchSize: 4, shuffle: true, dropRemainder: false }],
    [{ batchSize: 4, shuffle: true, dropRemainder: true }],
    [{ batchSize: 5, shuffle: false, dropRemainder: false }],
    [{ batchSize: 3, shuffle: true, dropRemainder: false, bucketBoundaries: [2, 4, 7] }],
    [{ batchSize: 3, shuffle: true, dropRemainder: true, bucketBoundaries: [2, 4] }],
  ])('gives the batches of shuffle + batch / bucketByLength, batch by batch, from an array or compact samples: %j', (options) => {
    const compact = new CompactSamples();
    for (const s of samples) compact.push(s);
    expect(compact.layout).toBe('labelled');
    for (const split of ['train', 'test'] as const) {
      for (const epoch of [0, 3]) {
        const expected = reference(samples, options, 7, split, epoch).map(batchData);
        expect(Array.from(batchesOf(samples, options, 7, split, epoch)).map(batchData)).toEqual(expected);
        expect(Array.from(batchesOf(compact, options, 7, split, epoch)).map(batchData)).toEqual(expected);
        expect(collectSync(makeBatches(compact, options, 7, split, epoch)).map(batchData)).toEqual(expected);
      }
    }
  });

  it("shuffledOrder is shuffle()'s permutation (same generator, same swaps)", () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    expect(Array.from(shuffledOrder(1000, 'seed/batches', 4))).toEqual(collectSync(from(items).pipe(shuffle({ seed: 'seed/batches', epoch: 4 }))));
  });

  it('makes batches as they are pulled: taking one batch makes only its samples', () => {
    let made = 0;
    const list = { length: 1000, at: (i: number): Sample => (made++, samples[i % samples.length]), slice: () => [], map: () => [], [Symbol.iterator]: () => samples[Symbol.iterator]() };
    const first = batchesOf(list, { batchSize: 8, shuffle: true, dropRemainder: false }, 1, 'train').next();
    expect(first.value?.size).toBe(8);
    expect(made).toBe(8);
  });
});

function batchData(b: Batch): unknown {
  return { inputs: Array.from(b.inputs.data), shape: b.inputs.shape, targets: Array.from(b.targets.data), mask: Array.from(b.mask.data), lengths: b.lengths };
}
