// The fast paths of broadcasting in the binary ops, sumToShape and expandData (a block repeated along leading dims, an element repeated
// along trailing dims) against a plain index-by-index broadcast, in float32 at sizes that run
// the WebAssembly kernels (and their chunking) and in float64; the generic path alongside.
import { DType, Random, Tensor, add, div, expandData, grad, mul, sub, sum, sumToShape } from '../index';
import { leadingRepeat, trailingRepeat } from './util';

const rng = new Random(11);

function randomTensor(shape: number[], dtype: DType, low = -2, high = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.uniform(low, high);
  return new Tensor(data, shape);
}

/** The element of `t` that broadcasting reads at flat position `flat` of `target`. */
function broadcastRead(t: Tensor, target: readonly number[], flat: number): number {
  let offset = 0;
  let stride = 1;
  let rest = flat;
  const index: number[] = new Array(target.length);
  for (let d = target.length - 1; d >= 0; d--) {
    index[d] = rest % target[d];
    rest = Math.floor(rest / target[d]);
  }
  for (let d = t.ndim - 1; d >= 0; d--) {
    const td = target.length - t.ndim + d;
    offset += (t.shape[d] === 1 ? 0 : index[td]) * stride;
    stride *= t.shape[d];
  }
  return t.data[offset];
}

const OPS: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
];

// [a, b]: full shape first, or the small one first (sub and div then take it on the left).
const PAIRS: [string, number[], number[]][] = [
  ['bias [N] on [T, B, N]', [6, 5, 512], [512]],
  ['[1, N] on [R, N], chunks with a remainder', [30, 700], [1, 700]],
  ['block longer than a chunk', [2, 17000], [17000]],
  ['scalar on the right', [40, 50], []],
  ['[1, 1] scalar on the left', [1, 1], [40, 50]],
  ['[N] on the left', [33], [70, 33]],
  ['column [R, 1], chunks with a remainder', [300, 70], [300, 1]],
  ['column on the left, [R, 1, 1] on [R, 3, 5]', [40, 1, 1], [40, 3, 5]],
  ['runs longer than a chunk', [2, 17000], [2, 1]],
  ['a middle dim (generic path)', [20, 6, 30], [20, 1, 30]],
  ['both broadcast (generic path)', [30, 1, 9], [1, 20, 9]],
];

describe('binary ops: broadcast fast paths = index-by-index broadcasting', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [label, sa, sb] of PAIRS) {
      it(`${dtype}: ${label}`, () => {
        const a = randomTensor(sa, dtype);
        const b = randomTensor(sb, dtype, 0.5, 2);
        for (const [name, op, f] of OPS) {
          const out = op(a, b);
          const round = dtype === 'float32' ? Math.fround : (v: number) => v;
          let mismatches = 0;
          for (let i = 0; i < out.size; i++) {
            if (out.data[i] !== round(f(broadcastRead(a, out.shape, i), broadcastRead(b, out.shape, i)))) mismatches++;
          }
          expect([name, mismatches]).toEqual([name, 0]); // the same rounding: exact
        }
      });
    }
  }

  it('gradients of a float32 bias add: db = the sum over leading dims, dx = g', () => {
    const x = randomTensor([8, 4, 300], 'float32');
    const bias = randomTensor([300], 'float32');
    x.requiresGrad = true;
    bias.requiresGrad = true;
    const weights = randomTensor([8, 4, 300], 'float32');
    const [gx, gb] = grad(sum(mul(add(x, bias), weights)), [x, bias]);
    expect(Array.from(gx.data)).toEqual(Array.from(weights.data));
    for (let j = 0; j < 300; j++) {
      let s = 0;
      for (let r = 0; r < 32; r++) s += weights.data[r * 300 + j];
      expect(Math.abs(gb.data[j] - s)).toBeLessThan(1e-5 * 32);
    }
  });
});

describe('sumToShape and expandData: fast paths = the general loop', () => {
  // [gradient shape, target shape]
  const CASES: [number[], number[]][] = [
    [[24, 8, 300], [300]], // a bias: sum over leading dims
    [[24, 8, 300], [1, 1, 300]],
    [[7, 300], [1, 300]],
    [[40, 50], []], // everything
    [[40, 50], [1, 1]],
    [[300, 70], [300, 1]], // keepDims sum over the last axis
    [[20, 6, 30], [20, 1, 1]],
    [[20, 6, 30], [20, 6, 1]],
    [[20, 6, 30], [20, 1, 30]], // generic
    [[20, 6, 30], [6, 1]], // generic
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [from, to] of CASES) {
      it(`${dtype}: [${from}] -> [${to}] and back`, () => {
        const g = randomTensor(from, dtype);
        const reduced = sumToShape(g, to);
        expect(reduced.shape).toEqual(to);
        expect(reduced.dtype).toBe(dtype);
        // float64 sums of the elements broadcasting maps to each target element
        const target = to.length === 0 ? [] : to;
        const expected = new Float64Array(reduced.size);
        const probe = new Tensor(new Float64Array(reduced.size).map((_, i) => i), target);
        for (let i = 0; i < g.size; i++) expected[broadcastRead(probe, from, i)] += g.data[i];
        const count = g.size / reduced.size;
        const tolerance = dtype === 'float32' ? 2e-7 * count * 2 : 1e-12 * count;
        for (let i = 0; i < reduced.size; i++) expect(Math.abs(reduced.data[i] - expected[i])).toBeLessThanOrEqual(tolerance);

        const small = randomTensor(to, dtype);
        const expanded = expandData(small, from);
        let mismatches = 0;
        for (let i = 0; i < expanded.length; i++) if (expanded[i] !== broadcastRead(small, from, i)) mismatches++;
        expect(mismatches).toBe(0);
      });
    }
  }

  it('leadingRepeat and trailingRepeat recognise exactly their patterns', () => {
    expect(leadingRepeat([512], [64, 32, 512])).toBe(512);
    expect(leadingRepeat([1, 32, 512], [64, 32, 512])).toBe(32 * 512);
    expect(leadingRepeat([], [3, 4])).toBe(1);
    expect(leadingRepeat([1, 1], [3, 4])).toBe(1);
    expect(leadingRepeat([3, 1], [3, 4])).toBe(0);
    expect(leadingRepeat([2, 1, 4], [2, 3, 4])).toBe(0);
    expect(trailingRepeat([3, 1], [3, 4])).toBe(3);
    expect(trailingRepeat([2, 3, 1], [2, 3, 4])).toBe(6);
    expect(trailingRepeat([2, 1, 1], [2, 3, 4])).toBe(2);
    expect(trailingRepeat([4], [3, 4])).toBe(0);
    expect(trailingRepeat([2, 1, 4], [2, 3, 4])).toBe(0);
    expect(trailingRepeat([1, 4], [4, 4])).toBe(0);
  });
});
