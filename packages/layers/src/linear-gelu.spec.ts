import { Random, Tensor, add, gradCheck, mul, noGrad, sum, tanh } from '@loopflow/tensor';
import { LinearModule, linear } from './linear';
import { linearGelu } from './linear-gelu';

const rng = new Random(23);
const randn = (shape: number[], scale = 1): Tensor =>
  new Tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);

function moduleOf(weight: Tensor, bias: Tensor | null): LinearModule {
  return { kind: 'linear', config: { inFeatures: weight.shape[1], outFeatures: weight.shape[0], bias: bias !== null }, weight, bias };
}

/** GELU (tanh approximation) composed from primitives as PyTorch writes it: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function composedGelu(x: Tensor): Tensor {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** Runs `f` on fresh leaves (copies of `values` in `dtype`), backpropagates sum(f * r) and returns the output and every gradient. */
function run(f: (x: Tensor, m: LinearModule) => Tensor, values: { x: Tensor; w: Tensor; b: Tensor | null; r: Tensor }, dtype: 'float32' | 'float64') {
  const leaf = (t: Tensor): Tensor => {
    const c = t.to(dtype).clone();
    c.requiresGrad = true;
    return c;
  };
  const x = leaf(values.x);
  const w = leaf(values.w);
  const b = values.b ? leaf(values.b) : null;
  const y = f(x, moduleOf(w, b));
  sum(mul(y, values.r.to(dtype))).backward();
  return { y, gx: x.grad!, gw: w.grad!, gb: b ? b.grad! : null };
}

/** Largest |a - b| over the largest |b| (1 at least). */
function relativeGap(a: Tensor, b: Tensor): number {
  let worst = 0;
  let size = 1;
  for (let i = 0; i < b.size; i++) {
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    size = Math.max(size, Math.abs(b.data[i]));
  }
  return worst / size;
}

describe('linearGelu', () => {
  it('has correct gradients for input, weight and bias (gradCheck, float64)', () => {
    for (const bias of [true, false]) {
      const result = gradCheck((x, w, ...b) => linearGelu(moduleOf(w, bias ? b[0] : null), x), [randn([2, 3, 5]), randn([7, 5]), ...(bias ? [randn([7])] : [])]);
      if (!result.ok) throw new Error(`gradCheck failed (bias ${bias}): ${JSON.stringify(result.inputs)}`);
    }
  });

  it.each([
    ['float64', [3, 5, 7], 9, 13, true],
    ['float64', [1, 1], 1, 1, false],
    ['float32', [3, 37, 11], 19, 67, true], // odd sizes, large enough for the WebAssembly kernels
    ['float32', [4, 129], 33, 150, false],
  ] as const)('matches the composed gelu(linear(x)) in %s: values and every gradient (x %j, in %i, out %i, bias %s)', (dtype, lead, inF, outF, bias) => {
    const values = { x: randn([...lead, inF], 2), w: randn([outF, inF], 1 / Math.sqrt(inF)), b: bias ? randn([outF]) : null, r: randn([...lead, outF]) };
    const fused = run((x, m) => linearGelu(m, x), values, dtype);
    // The reference: composed in float64 (independent of the backend and of the fused kernels).
    const composed = run((x, m) => composedGelu(linear(m, x)), values, 'float64');
    const tolerance = dtype === 'float64' ? 1e-12 : 2e-5;
    expect(fused.y.shape).toEqual(composed.y.shape);
    expect(relativeGap(fused.y, composed.y)).toBeLessThan(tolerance);
    expect(relativeGap(fused.gx, composed.gx)).toBeLessThan(tolerance);
    expect(relativeGap(fused.gw, composed.gw)).toBeLessThan(tolerance);
    if (bias) expect(relativeGap(fused.gb!, composed.gb!)).toBeLessThan(tolerance);
  });

  it('records one node, and nothing under noGrad', () => {
    const m = moduleOf(randn([4, 3]), randn([4]));
    m.weight.requiresGrad = true;
    const y = linearGelu(m, randn([2, 3]));
    expect(y.node?.op).toBe('linearGelu');
    expect(y.node?.inputs.length).toBe(3);
    const z = noGrad(() => linearGelu(m, randn([2, 3])));
    expect(z.node).toBeNull();
    expect(z.requiresGrad).toBe(false);
  });

  it('refuses a wrong input size or a dtype mix, naming itself and the sizes', () => {
    const m = moduleOf(randn([4, 3]), randn([4]));
    expect(() => linearGelu(m, randn([2, 5]))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/^linearGelu: .*\[\.\.\., 3\]/) }));
    expect(() => linearGelu(m, randn([2, 3]).to('float32'))).toThrow(expect.objectContaining({ code: 'DTYPE_MISMATCH' }));
  });
});
