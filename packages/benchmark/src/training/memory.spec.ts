import { HeapPeak, collectGarbage, heapBytes } from './memory';

describe('HeapPeak', () => {
  it('measures growth above a baseline that dead ArrayBuffers freed after a collection do not inflate', () => {
    // 200 MB of tensor-like buffers die just before the baseline (as in a test worker that ran
    // other tests, or a benchmark worker between jobs): their memory is freed by a background
    // sweeper after the collection, so a baseline taken after only one collection sat far above
    // every later sample.
    let dead: Float32Array[] | null = Array.from({ length: 50 }, () => new Float32Array(1 << 20));
    expect(dead.length).toBe(50);
    dead = null;
    const peak = new HeapPeak();
    const kept = Array.from({ length: 32 }, () => new Float32Array(1 << 16)); // 8 MiB
    peak.sample();
    // Other tests in the same worker leave a few MiB of noise either way; the dead 200 MB (a
    // baseline ~120 MB too high after one collection, so a peak of 0) cannot hide in it.
    expect(peak.bytes).toBeGreaterThan(4 * 2 ** 20);
    expect(peak.bytes).toBeLessThan(24 * 2 ** 20);
    expect(collectGarbage()).toBe(true);
    expect(kept).toHaveLength(32);
    expect(heapBytes()).toBeGreaterThan(peak.baseline - 16 * 2 ** 20);
  });
});
