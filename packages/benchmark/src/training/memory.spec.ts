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
    const kept = Array.from({ length: 100 }, () => new Float32Array(1024)); // 400 KB
    peak.sample();
    expect(collectGarbage()).toBe(true);
    expect(peak.bytes).toBeGreaterThan(300 * 1024);
    expect(peak.bytes).toBeLessThan(20 * 2 ** 20);
    expect(kept).toHaveLength(100);
    expect(heapBytes()).toBeGreaterThan(peak.baseline - 2 ** 20);
  });
});
