import type { Sample } from '@loopflow/data';
import { countBatches, makeBatches } from './prepared';
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
