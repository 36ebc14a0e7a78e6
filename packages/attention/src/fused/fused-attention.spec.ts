import { Random, Tensor, grad, mul, slice, sum } from '@loopflow/tensor';
import { paddingMask } from '../masks';
import { AttentionOptions, scaledDotProductAttention } from '../scaled-dot-product';
import { randn } from '../test-helpers';
import { attentionKernels } from './kernels';
import { AttentionPath, fusedAttentionAvailable, getAttentionPath, setAttentionPath } from './path';

/**
 * The fused node against the composed path run in float64 (the reference): the output and the
 * gradients of q, k and v, for an upstream gradient R (loss = sum(out * R)). The fused kernels
 * compute in float32, so the comparison allows float32 rounding: 2e-5 of the largest value.
 */

interface Case {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  options?: (rng: Random) => AttentionOptions;
  /** Query rows whose upstream gradient is not zero (default: all): the others get 0, as the rows no loss reads. */
  liveRows?: number[];
}

function withPath<T>(path: AttentionPath, fn: () => T): T {
  const previous = setAttentionPath(path);
  try {
    return fn();
  } finally {
    setAttentionPath(previous);
  }
}

/** Output and gradients of q, k, v on `path`, inputs converted to `dtype`. */
function run(path: AttentionPath, dtype: 'float32' | 'float64', q: Tensor, k: Tensor, v: Tensor, R: Tensor, options: AttentionOptions) {
  return withPath(path, () => {
    const [qq, kk, vv] = [q, k, v].map((t) => {
      const c = t.to(dtype);
      c.requiresGrad = true;
      return c;
    });
    const { output } = scaledDotProductAttention(qq, kk, vv, { ...options, returnWeights: false });
    const gradients = grad(sum(mul(output, R.to(dtype))), [qq, kk, vv]);
    return { output, gradients, fused: output.node?.op === 'fusedAttention' || output.node?.inputs[0]?.node?.op === 'fusedAttention' };
  });
}

/** Largest |a - b| over the largest |b| (at least 1e-3). */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-3;
  for (let i = 0; i < b.length; i++) {
    if (!Number.isFinite(a[i])) return Infinity;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

function check(c: Case, seed = 1): void {
  const rng = new Random(seed);
  const q = randn(rng, c.q);
  const k = randn(rng, c.k);
  const v = randn(rng, c.v);
  const options = c.options ? c.options(rng) : {};
  const R = randn(rng, [...c.q.slice(0, -1), c.v[c.v.length - 1]]);
  if (c.liveRows) {
    const dv = c.v[c.v.length - 1];
    const Tq = c.q[c.q.length - 2];
    for (let i = 0; i < R.size; i++) if (!c.liveRows.includes(Math.floor(i / dv) % Tq)) R.data[i] = 0;
  }
  const expected = run('composed', 'float64', q, k, v, R, options);
  const actual = run('fused', 'float32', q, k, v, R, options);
  expect(actual.fused).toBe(true);
  expect(expected.fused).toBe(false);
  expect(actual.output.dtype).toBe('float32');
  expect(actual.output.shape).toEqual(expected.output.shape);
  expect(relativeError(actual.output.data, expected.output.data)).toBeLessThan(2e-5);
  actual.gradients.forEach((g, i) => {
    expect(g.shape).toEqual(expected.gradients[i].shape);
    expect(relativeError(g.data, expected.gradients[i].data)).toBeLessThan(2e-5);
  });
}

const available = fusedAttentionAvailable();
const maybe = available ? describe : describe.skip;

describe('fused attention: availability and the path switch', () => {
  it('loads the kernels in this checkout (npm run build:wasm)', () => {
    expect(available).toBe(true);
  });

  it('switches paths and refuses a call the fused kernels cannot take when forced', () => {
    expect(getAttentionPath()).toBe('auto');
    const rng = new Random(2);
    const q = randn(rng, [1, 4, 3], { dtype: 'float32' });
    // Weights requested: the composed path under 'auto', an error under 'fused'.
    expect(withPath('auto', () => scaledDotProductAttention(q, q, q).weights)).not.toBeNull();
    expect(() => withPath('fused', () => scaledDotProductAttention(q, q, q))).toThrow(expect.objectContaining({ code: 'FUSED_ATTENTION_UNAVAILABLE' }));
    // float64: the composed path under 'auto', an error under 'fused'.
    const q64 = q.to('float64');
    expect(withPath('auto', () => scaledDotProductAttention(q64, q64, q64, { returnWeights: false }).output.dtype)).toBe('float64');
    expect(() => withPath('fused', () => scaledDotProductAttention(q64, q64, q64, { returnWeights: false }))).toThrow(/float64/);
    expect(() => setAttentionPath('fast' as AttentionPath)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

maybe('fused attention against the composed path (float64)', () => {
  const cases: Case[] = [
    { name: '4-D, no mask, T not a multiple of the tiles, dk not a multiple of 4', q: [2, 3, 37, 5], k: [2, 3, 37, 5], v: [2, 3, 37, 7] },
    { name: '4-D causal', q: [2, 2, 37, 6], k: [2, 2, 37, 6], v: [2, 2, 37, 9], options: () => ({ causal: true }) },
    { name: 'causal across several key blocks, Tq > Tk', q: [1, 2, 150, 8], k: [1, 2, 131, 8], v: [1, 2, 131, 17], options: () => ({ causal: true }) },
    { name: 'causal, Tq < Tk', q: [2, 1, 20, 3], k: [2, 1, 70, 3], v: [2, 1, 70, 4], options: () => ({ causal: true }) },
    { name: 'Tq != Tk with key padding', q: [3, 2, 19, 20], k: [3, 2, 70, 20], v: [3, 2, 70, 3], options: () => ({ keyMask: paddingMask([70, 33, 1], 70) }) },
    {
      name: 'causal + padding, with fully masked rows (a sequence of length 0)',
      q: [3, 2, 21, 4], k: [3, 2, 21, 4], v: [3, 2, 21, 4],
      options: () => ({ causal: true, keyMask: paddingMask([21, 0, 9], 21) }),
    },
    {
      name: 'general mask [Tq, Tk] shared by all, with fully masked rows',
      q: [2, 2, 18, 5], k: [2, 2, 23, 5], v: [2, 2, 23, 6],
      options: (rng) => ({ mask: bernoulliMask(rng, [18, 23], 0.5, [3, 11]) }),
    },
    {
      name: 'general mask [B, 1, Tq, Tk] with causal and padding',
      q: [2, 3, 17, 8], k: [2, 3, 17, 8], v: [2, 3, 17, 8],
      options: (rng) => ({ causal: true, keyMask: paddingMask([17, 12], 17), mask: bernoulliMask(rng, [2, 1, 17, 17], 0.7, []) }),
    },
    {
      name: 'general mask [1, H, Tq, Tk]',
      q: [2, 3, 9, 4], k: [2, 3, 66, 4], v: [2, 3, 66, 5],
      options: (rng) => ({ mask: bernoulliMask(rng, [1, 3, 9, 66], 0.3, [0]) }),
    },
    { name: '3-D inputs, causal', q: [3, 29, 12], k: [3, 29, 12], v: [3, 29, 12], options: () => ({ causal: true }) },
    {
      name: '3-D inputs with a [B, Tq, Tk] mask and key padding',
      q: [2, 10, 7], k: [2, 13, 7], v: [2, 13, 2],
      options: (rng) => ({ keyMask: paddingMask([13, 5], 13), mask: bernoulliMask(rng, [2, 10, 13], 0.6, [4]) }),
    },
    { name: 'one query, one key', q: [1, 1, 1, 1], k: [1, 1, 1, 1], v: [1, 1, 1, 1], options: () => ({ causal: true }) },
    // Feature strips: 16 wide for 16 and 32, 8 wide for 5 and 24 (three strips), mixed in one call.
    { name: 'causal, 16-wide feature strips (dk 16, dv 32)', q: [2, 2, 45, 16], k: [2, 2, 45, 16], v: [2, 2, 45, 32], options: () => ({ causal: true }) },
    { name: 'causal, 8-wide strips for q and k (dk 24), 16-wide for v (dv 16), odd T', q: [1, 3, 45, 24], k: [1, 3, 45, 24], v: [1, 3, 45, 16], options: () => ({ causal: true }) },
    { name: "the comparison's heads (4 of width 5), causal, several key blocks", q: [2, 4, 130, 5], k: [2, 4, 130, 5], v: [2, 4, 130, 5], options: () => ({ causal: true }) },
    // Upstream gradients with all-zero query blocks (skipped by the backward kernel).
    { name: 'causal, only the last query row has a gradient', q: [2, 4, 130, 5], k: [2, 4, 130, 5], v: [2, 4, 130, 5], options: () => ({ causal: true }), liveRows: [129] },
    {
      name: 'key padding, gradients in three query blocks only (first, middle, last)',
      q: [2, 2, 70, 6], k: [2, 2, 70, 6], v: [2, 2, 70, 9], options: () => ({ keyMask: paddingMask([70, 41], 70) }), liveRows: [0, 37, 38, 69],
    },
    { name: 'causal, no query row has a gradient', q: [1, 2, 40, 5], k: [1, 2, 40, 5], v: [1, 2, 40, 5], options: () => ({ causal: true }), liveRows: [] },
    // queryOffset: the last Tq of Tk positions (query i at key position offset + i).
    { name: 'queryOffset T-1: the last query of 130, heads of width 5', q: [2, 4, 1, 5], k: [2, 4, 130, 5], v: [2, 4, 130, 5], options: () => ({ causal: true, queryOffset: 129 }) },
    { name: 'queryOffset 21, odd T, 16 queries, dk 5, dv 7', q: [2, 3, 16, 5], k: [2, 3, 37, 5], v: [2, 3, 37, 7], options: () => ({ causal: true, queryOffset: 21 }) },
    { name: 'queryOffset 57 across key blocks (93 of 150 positions)', q: [1, 2, 93, 8], k: [1, 2, 150, 8], v: [1, 2, 150, 17], options: () => ({ causal: true, queryOffset: 57 }) },
    { name: 'queryOffset 3 with 130 keys (queries end before the last key)', q: [1, 2, 70, 6], k: [1, 2, 130, 6], v: [1, 2, 130, 6], options: () => ({ causal: true, queryOffset: 3 }) },
    {
      name: 'queryOffset with causal + key padding and fully masked rows (a sequence of length 0)',
      q: [3, 2, 9, 5], k: [3, 2, 37, 5], v: [3, 2, 37, 5],
      options: () => ({ causal: true, queryOffset: 28, keyMask: paddingMask([37, 0, 30], 37) }),
    },
    {
      name: 'queryOffset with a general mask [Tq, Tk] (fully masked rows) and causal',
      q: [2, 2, 11, 5], k: [2, 2, 66, 5], v: [2, 2, 66, 3],
      options: (rng) => ({ causal: true, queryOffset: 55, mask: bernoulliMask(rng, [11, 66], 0.5, [2, 7]) }),
    },
    { name: 'queryOffset, 3-D inputs', q: [3, 10, 12], k: [3, 29, 12], v: [3, 29, 12], options: () => ({ causal: true, queryOffset: 19 }) },
    { name: 'queryOffset without causal (changes nothing)', q: [2, 2, 5, 5], k: [2, 2, 40, 5], v: [2, 2, 40, 5], options: () => ({ queryOffset: 30 }) },
    { name: 'queryOffset 100 of 150, gradient in the last row only', q: [2, 4, 50, 5], k: [2, 4, 150, 5], v: [2, 4, 150, 5], options: () => ({ causal: true, queryOffset: 100 }), liveRows: [49] },
  ];
  for (const c of cases) {
    it(`${c.name}: output and the gradients of q, k, v`, () => check(c));
  }

  it('gives output 0 and gradients 0 (never NaN) for rows with no allowed key', () => {
    const rng = new Random(5);
    const q = randn(rng, [2, 1, 6, 4]);
    const keyMask = paddingMask([6, 0], 6); // the second sequence has no real key
    const R = randn(rng, [2, 1, 6, 4]);
    const { output, gradients } = run('fused', 'float32', q, q, q, R, { causal: true, keyMask });
    const second = Array.from(output.data.subarray(24));
    expect(second.every((x) => x === 0)).toBe(true);
    for (const g of gradients) {
      expect(Array.from(g.data).every(Number.isFinite)).toBe(true);
      expect(Array.from(g.data.subarray(24)).every((x) => x === 0)).toBe(true);
    }
  });

  it('queryOffset 0 gives exactly the numbers of a call without it', () => {
    const rng = new Random(9);
    const [q, k, v, R] = [0, 1, 2, 3].map(() => randn(rng, [2, 3, 37, 5]));
    const plain = run('fused', 'float32', q, k, v, R, { causal: true, keyMask: paddingMask([37, 20], 37) });
    const zero = run('fused', 'float32', q, k, v, R, { causal: true, keyMask: paddingMask([37, 20], 37), queryOffset: 0 });
    expect(Array.from(zero.output.data)).toEqual(Array.from(plain.output.data));
    zero.gradients.forEach((g, i) => expect(Array.from(g.data)).toEqual(Array.from(plain.gradients[i].data)));
  });

  it('queryOffset: the fused rows equal the rows of the full fused call', () => {
    const rng = new Random(10);
    const [q, k, v] = [0, 1, 2].map(() => randn(rng, [2, 4, 45, 5]));
    const withFused = (fn: () => Tensor) => withPath('fused', fn);
    const full = withFused(() => scaledDotProductAttention(q.to('float32'), k.to('float32'), v.to('float32'), { causal: true, returnWeights: false }).output);
    const last = withFused(() => scaledDotProductAttention(slice(q, 2, 30).to('float32'), k.to('float32'), v.to('float32'), { causal: true, queryOffset: 30, returnWeights: false }).output);
    expect(relativeError(last.data, slice(full, 2, 30).data)).toBeLessThan(1e-6);
  });

  it('shares the (batch, head) items with the helper thread and gets the same numbers', () => {
    const kernels = attentionKernels()!;
    if (kernels.threads < 2) return; // LOOPFLOW_THREADS=1 or no shared memory: nothing to share
    expect(kernels.waitForHelper()).toBe(true);
    check({ name: 'threads', q: [4, 2, 130, 32], k: [4, 2, 130, 32], v: [4, 2, 130, 32], options: () => ({ causal: true }) }, 7);
    check({ name: 'threads, 8-wide strips', q: [4, 4, 130, 5], k: [4, 4, 130, 5], v: [4, 4, 130, 5], options: () => ({ causal: true }) }, 8);
    check({ name: 'threads, queryOffset', q: [4, 4, 70, 5], k: [4, 4, 200, 5], v: [4, 4, 200, 5], options: () => ({ causal: true, queryOffset: 130 }) }, 9);
  });
});

/** A 0/1 mask of `shape` (1 with probability p), with the given rows of its last two dims all 0. */
function bernoulliMask(rng: Random, shape: number[], p: number, blockedRows: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const Tk = shape[shape.length - 1];
  const Tq = shape[shape.length - 2];
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / Tk) % Tq;
    data[i] = blockedRows.includes(row) ? 0 : rng.next() < p ? 1 : 0;
  }
  return new Tensor(data, shape);
}
