import { Random } from '../random';
import { MatmulOptions } from './kernels';
import { referenceKernels } from './reference';
import { createThreadedWasmKernels, ThreadedWasmKernels } from './wasm-threads';
import { WasmVariant } from '../runtime/builds';

function randomArray(rng: Random, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

function maxError(m: number, k: number, n: number, options: MatmulOptions, threaded: ThreadedWasmKernels, rng: Random): number {
  const a = randomArray(rng, m * k);
  const b = randomArray(rng, k * n);
  const want = randomArray(rng, m * n);
  const got = want.slice();
  referenceKernels.matmul(a, b, want, m, k, n, options);
  threaded.kernels.matmul(a, b, got, m, k, n, options);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(want[i] - got[i]) / (1e-6 * (k + 1));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

describe.each<WasmVariant>(['simd', 'relaxed'])('2-thread wasm-%s matmul', (variant) => {
  let threaded: ThreadedWasmKernels;

  beforeAll(() => {
    threaded = createThreadedWasmKernels(variant, { matmulMinWork: 0, parallelMinWork: 0, backoff: false });
    if (!threaded.pool.waitUntilReady(10000)) throw new Error('the helper thread did not start within 10 s');
  });

  afterAll(() => threaded.pool.close());

  it('matches the reference for every option combination on row- and strip-split shapes', () => {
    const rng = new Random(`threads-${variant}`);
    // m >= 64 splits rows, smaller m splits 16-column strips; odd sizes everywhere.
    const shapes: [number, number, number][] = [[65, 33, 47], [7, 19, 129], [3, 5, 16], [100, 1, 40], [33, 300, 17]];
    for (const [m, k, n] of shapes) {
      for (let bits = 0; bits < 8; bits++) {
        const options = { transA: (bits & 1) !== 0, transB: (bits & 2) !== 0, accumulate: (bits & 4) !== 0 };
        const err = maxError(m, k, n, options, threaded, rng);
        if (!(err <= 1)) throw new Error(`${m}x${k}x${n} ${JSON.stringify(options)}: error ${err} times the tolerance`);
      }
    }
  });

  it('lets the helper thread compute blocks', () => {
    const rng = new Random(`helped-${variant}`);
    const before = threaded.pool.helperBlocks;
    // The helper may be descheduled on a busy machine; then the main thread does every block,
    // so try a few products.
    for (let i = 0; i < 40 && threaded.pool.helperBlocks === before; i++) {
      expect(maxError(128, 128, 128, {}, threaded, rng)).toBeLessThanOrEqual(1);
    }
    expect(threaded.pool.helperBlocks).toBeGreaterThan(before);
  });

  it('declines products until its helper has started, and still computes them', () => {
    const rng = new Random(`start-${variant}`);
    const slow = createThreadedWasmKernels(variant, { matmulMinWork: 0, parallelMinWork: 0 });
    try {
      // Not started yet (start-up is asynchronous), so the first products run on one thread.
      expect(slow.pool.accepts()).toBe(false);
      expect(maxError(64, 16, 64, {}, slow, rng)).toBeLessThanOrEqual(1);
    } finally {
      slow.pool.close();
    }
    expect(slow.pool.accepts()).toBe(false); // closed
  });

  it('stops handing out work once closed', () => {
    const other = createThreadedWasmKernels(variant, { matmulMinWork: 0 });
    other.pool.close();
    expect(other.pool.ready).toBe(false);
    const rng = new Random('closed');
    expect(maxError(70, 20, 30, {}, other, rng)).toBeLessThanOrEqual(1);
  });
});
