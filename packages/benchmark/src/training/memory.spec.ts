import { execFileSync } from 'child_process';
import * as path from 'path';

describe('HeapPeak', () => {
  it('measures growth above a baseline that dead ArrayBuffers freed after a collection do not inflate', () => {
    // In a process of its own (heap-peak-probe.ts): inside a jest worker, the garbage other test
    // files left behind, and when it is swept, moved the baseline with the machine's load.
    const out = execFileSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', path.join(__dirname, 'heap-peak-probe.ts')], {
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { peak: number; baseline: number; heapAfter: number; gc: boolean; kept: number };
    // 8 MiB kept: a baseline ~120 MB too high after one collection (the dead 200 MB) gives a peak of 0.
    expect(r.peak).toBeGreaterThan(4 * 2 ** 20);
    expect(r.peak).toBeLessThan(24 * 2 ** 20);
    expect(r.gc).toBe(true);
    expect(r.kept).toBe(32);
    expect(r.heapAfter).toBeGreaterThan(r.baseline - 16 * 2 ** 20);
  });
});
