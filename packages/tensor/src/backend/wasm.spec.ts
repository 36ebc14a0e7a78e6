import * as fs from 'fs';
import * as path from 'path';
import { Random } from '../random';
import { BinaryKernelName, MatmulOptions, UnaryKernelName } from './kernels';
import { referenceKernels } from './reference';
import { createWasmKernels, WasmKernels } from './wasm';
import { WasmVariant, wasmBuildFile } from '../runtime/builds';
import { embeddedBuilds } from '../runtime/embedded';
import { EMBEDDED_BUILDS } from './wasm-loader';

// These tests FAIL (they do not skip) when the kernels are not built: CI builds them on
// `npm ci` through the root "prepare" script (tools/build-wasm.js).

const WASM_DIR = path.resolve(__dirname, '..', '..', 'wasm');

const VARIANTS: WasmVariant[] = ['simd', 'relaxed'];
const UNARY: UnaryKernelName[] = ['neg', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'relu', 'gelu'];
/** The binary kernels that round exactly like the reference (geluGrad, an approximation, has its own test). */
const BINARY: BinaryKernelName[] = ['add', 'sub', 'mul', 'div'];

function randomArray(rng: Random, length: number, low = -1, high = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform(low, high);
  return out;
}

/** Every option combination of matmul. */
const OPTION_SETS: MatmulOptions[] = [];
for (let bits = 0; bits < 8; bits++) {
  OPTION_SETS.push({ transA: (bits & 1) !== 0, transB: (bits & 2) !== 0, accumulate: (bits & 4) !== 0 });
}

function describeOptions(o: MatmulOptions): string {
  return `transA=${!!o.transA} transB=${!!o.transB} accumulate=${!!o.accumulate}`;
}

/** Max of |got - want| / (bound), where bound grows with k (float32 rounding of a k-term sum). */
function matmulError(want: Float32Array, got: Float32Array, k: number): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(want[i] - got[i]) / (1e-6 * (k + 1) + 1e-6 * Math.abs(want[i]));
    if (!(err <= worst)) worst = err; // NaN counts as worst
  }
  return worst;
}

/** Index of the first element that differs (NaN equals NaN, 0 differs from -0), or -1. */
function firstDifference(want: Float32Array, got: Float32Array): number {
  if (want.length !== got.length) return Math.min(want.length, got.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(want[i], got[i])) return i;
  return -1;
}

function checkMatmul(kernels: WasmKernels, rng: Random, m: number, k: number, n: number, options: MatmulOptions): void {
  const a = randomArray(rng, m * k);
  const b = randomArray(rng, k * n);
  const init = randomArray(rng, m * n);
  const want = init.slice();
  const got = init.slice();
  const aCopy = a.slice();
  const bCopy = b.slice();
  referenceKernels.matmul(a, b, want, m, k, n, options);
  kernels.matmul(a, b, got, m, k, n, options);
  const err = matmulError(want, got, k);
  if (!(err <= 1)) {
    throw new Error(`matmul ${m}x${k}x${n} ${describeOptions(options)}: error ${err} times the tolerance`);
  }
  // The inputs are left alone (jest's toEqual is slow on long typed arrays, hence the loop).
  expect(firstDifference(aCopy, a)).toBe(-1);
  expect(firstDifference(bCopy, b)).toBe(-1);
}

/** Inputs per unary kernel, covering its domain and the awkward values. */
function unaryInput(rng: Random, name: UnaryKernelName, length: number): Float32Array {
  switch (name) {
    case 'exp': return randomArray(rng, length, -110, 95);
    case 'log': {
      const x = randomArray(rng, length, -30, 30).map((v) => Math.exp(v));
      if (length > 8) x.set([1, 1e-40, 1e-45, 3.4e38, 0.5, 2, 1 + 1e-6, 1 - 1e-6], 0); // incl. denormals
      return x;
    }
    case 'sqrt': return randomArray(rng, length, 0, 1000);
    case 'tanh': return randomArray(rng, length, -12, 12);
    case 'sigmoid': return randomArray(rng, length, -110, 110);
    case 'gelu': return randomArray(rng, length, -12, 12);
    default: return randomArray(rng, length, -10, 10);
  }
}

/** Largest relative error (absolute for results below 1e-37, where precision is denormal). */
function relativeError(want: Float32Array, got: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(want[i], got[i])) continue;
    const err = Math.abs(want[i] - got[i]) / Math.max(Math.abs(want[i]), 1e-37);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

const EXACT: ReadonlySet<string> = new Set(['neg', 'sqrt', 'relu']);

/** 2 sqrt(2/pi) and the cubic coefficient of GELU's tanh approximation. */
const GELU_2C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU's error relative to its conditioning: gelu(x) = x sigmoid(z), z = 2 sqrt(2/pi) (x + a x^3)
 * is itself computed in float32 (a relative rounding of z moves the result by |z| times as
 * much, like exp of an inexact argument), so the relative error is divided by 1 + |z|.
 */
function geluError(x: Float32Array, want: Float32Array, got: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    if (Object.is(want[i], got[i])) continue;
    const z = GELU_2C * (x[i] + GELU_A * x[i] ** 3);
    const err = Math.abs(want[i] - got[i]) / Math.max(Math.abs(want[i]), 1e-37) / (1 + Math.abs(z));
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

describe('wasm build files', () => {
  const embedded = embeddedBuilds(EMBEDDED_BUILDS, () => (require('../../wasm/builds.js') as { builds: Record<string, string> }).builds);
  it.each(VARIANTS.flatMap((v) => [[v, false], [v, true]] as const))('%s (threaded: %s) is built and embedded byte for byte', (variant, threaded) => {
    const file = path.join(WASM_DIR, wasmBuildFile(variant, threaded));
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build:wasm\``);
    expect(embedded.read(wasmBuildFile(variant, threaded))).toEqual(new Uint8Array(fs.readFileSync(file)));
  });
});

describe.each(VARIANTS)('wasm-%s kernels', (variant) => {
  // Thresholds at 0: every call runs in WebAssembly, even tiny ones.
  const kernels = createWasmKernels(variant, { elementwiseMinLength: 0, matmulMinWork: 0 });

  it('is named after its build', () => {
    expect(kernels.name).toBe(variant === 'simd' ? 'wasm-simd' : 'wasm-relaxed');
  });

  describe('matmul', () => {
    const fixed: [number, number, number][] = [
      [1, 1, 1], [1, 3, 17], [3, 1, 5], [17, 33, 1], [2, 16, 16], [16, 16, 16], [33, 127, 65],
      [127, 3, 33], [5, 17, 31], [4, 300, 18], // k > 256: more than one K block
      [131, 9, 47], // m > 128: more than one row block
      [40, 20, 3], [64, 7, 15], [16, 5, 1], // n < 16 <= m: computed transposed
      [20, 5, 16], [4, 9, 40], // m <= 4: B read in place
    ];
    it.each(OPTION_SETS.map((o) => [describeOptions(o), o] as const))('matches the reference on fixed odd shapes, %s', (_label, options) => {
      const rng = new Random(`fixed-${variant}`);
      for (const [m, k, n] of fixed) checkMatmul(kernels, rng, m, k, n, options);
    });

    it('matches the reference on random shapes and options', () => {
      const rng = new Random(`random-${variant}`);
      for (let trial = 0; trial < 60; trial++) {
        const m = 1 + rng.int(48);
        const k = 1 + rng.int(48);
        const n = 1 + rng.int(48);
        checkMatmul(kernels, rng, m, k, n, OPTION_SETS[rng.int(8)]);
      }
    });

    it('handles a product larger than the current memory, then a small one again', () => {
      const rng = new Random(`grow-${variant}`);
      checkMatmul(kernels, rng, 150, 140, 90, { transA: true, accumulate: true });
      checkMatmul(kernels, rng, 3, 5, 7, {});
    });

    it('treats k = 0 as an empty sum and m = 0 / n = 0 as nothing to do', () => {
      const out = new Float32Array([1, 2, 3, 4, 5, 6]);
      kernels.matmul(new Float32Array(0), new Float32Array(0), out, 2, 0, 3, { accumulate: true });
      expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
      kernels.matmul(new Float32Array(0), new Float32Array(0), out, 2, 0, 3);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
      kernels.matmul(new Float32Array(0), new Float32Array(4), out, 0, 4, 1);
      expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    });

    it('hands Float64Array operands to the reference', () => {
      const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
      const b = Float64Array.from([1e-20, 1, 1, 1, 1, 1]);
      const out = new Float64Array(4);
      kernels.matmul(a, b, out, 2, 3, 2);
      const want = new Float64Array(4);
      referenceKernels.matmul(a, b, want, 2, 3, 2);
      expect(out).toEqual(want);
    });
  });

  describe('unary', () => {
    const lengths = [0, 1, 3, 4, 5, 17, 1001, 16384 + 7]; // the last spans two copy chunks
    it.each(UNARY)('%s matches the reference', (name) => {
      const rng = new Random(`unary-${variant}-${name}`);
      for (const length of lengths) {
        const a = unaryInput(rng, name, length);
        const want = new Float32Array(length);
        const got = new Float32Array(length);
        referenceKernels.unary(name, a, want);
        kernels.unary(name, a, got);
        const err = name === 'gelu' ? geluError(a, want, got) : relativeError(want, got);
        const tolerance = EXACT.has(name) ? 0 : 2e-6;
        if (!(err <= tolerance)) throw new Error(`${name} length ${length}: relative error ${err} > ${tolerance}`);
      }
    });

    it('handles special values like the reference', () => {
      const x = Float32Array.from([1000, -1000, NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 88.7, 89, -87, -104, 1e-8, -1e-8, -1]);
      for (const name of UNARY) {
        const want = new Float32Array(x.length);
        const got = new Float32Array(x.length);
        referenceKernels.unary(name, x, want);
        kernels.unary(name, x, got);
        const err = relativeError(want, got);
        if (!(err <= 2e-6)) {
          throw new Error(`${name}: got ${Array.from(got).join(', ')}; want ${Array.from(want).join(', ')}`);
        }
      }
    });

    it('gives the documented limits for large |x|', () => {
      const x = Float32Array.from([1000, -1000]);
      const out = new Float32Array(2);
      kernels.unary('exp', x, out);
      expect(Array.from(out)).toEqual([Infinity, 0]);
      kernels.unary('sigmoid', x, out);
      expect(Array.from(out)).toEqual([1, 0]);
      kernels.unary('tanh', x, out);
      expect(Array.from(out)).toEqual([1, -1]);
    });

    it('may write its result over its input', () => {
      const a = Float32Array.from([0.5, -2, 3, 4, 5]);
      const want = new Float32Array(5);
      referenceKernels.unary('sigmoid', a, want);
      kernels.unary('sigmoid', a, a);
      expect(relativeError(want, a)).toBeLessThanOrEqual(2e-6);
    });
  });

  describe('binary', () => {
    it.each(BINARY)('%s matches the reference exactly', (name) => {
      const rng = new Random(`binary-${variant}-${name}`);
      for (const length of [0, 1, 3, 4, 9, 1001, 16384 + 3]) {
        const a = randomArray(rng, length, -5, 5);
        const b = randomArray(rng, length, -5, 5);
        if (length > 4) b.set([0, -0, Infinity, NaN], 0);
        const want = new Float32Array(length);
        const got = new Float32Array(length);
        referenceKernels.binary(name, a, b, want);
        kernels.binary(name, a, b, got);
        const at = firstDifference(want, got);
        if (at >= 0) throw new Error(`${name} length ${length} at ${at}: got ${got[at]}, want ${want[at]}`);
      }
    });

    it('geluGrad matches the reference, relative to the size of the derivative\'s two terms', () => {
      // g * (s + x s (1 - s) 2c (1 + 3a x^2)), s = sigmoid(z): the terms cancel near x = -0.75,
      // so the error is measured against |g| (|s| + |x s (1 - s) ...|), computed here in float64,
      // times 1 + |z| (z is computed in float32, see geluError).
      const c2 = GELU_2C;
      const a = GELU_A;
      const rng = new Random(`gelu-grad-${variant}`);
      for (const length of [0, 1, 3, 4, 9, 1001, 16384 + 3]) {
        const x = randomArray(rng, length, -12, 12);
        const g = randomArray(rng, length, -5, 5);
        if (length > 8) x.set([0, -0, -0.7517916, 1e-40, 30, -30, 1000, -1000], 0);
        const want = new Float32Array(length);
        const got = new Float32Array(length);
        referenceKernels.binary('geluGrad', x, g, want);
        kernels.binary('geluGrad', x, g, got);
        for (let i = 0; i < length; i++) {
          const z = c2 * (x[i] + a * x[i] ** 3);
          const s = 1 / (1 + Math.exp(-z));
          const scale = Math.abs(g[i]) * (s + Math.abs(x[i] * s * (1 - s) * c2 * (1 + 3 * a * x[i] ** 2)));
          const err = Math.abs(want[i] - got[i]);
          if (!(err <= 2e-6 * scale * (1 + Math.abs(z)) + 1e-37)) throw new Error(`geluGrad length ${length} at ${i} (x ${x[i]}, g ${g[i]}): got ${got[i]}, want ${want[i]}`);
        }
      }
      // gelu'(0) = 1/2; gelu'(large) = 1, gelu'(-large) = 0
      const out = new Float32Array(3);
      kernels.binary('geluGrad', Float32Array.from([0, 50, -50]), Float32Array.from([2, 3, 3]), out);
      expect(Array.from(out)).toEqual([1, 3, 0]);
    });

    it('may write its result over either input', () => {
      const a = Float32Array.from([1, 2, 3, 4, 5]);
      const b = Float32Array.from([5, 4, 3, 2, 1]);
      kernels.binary('sub', a, b, b);
      expect(Array.from(b)).toEqual([-4, -2, 0, 2, 4]);
      kernels.binary('mul', a, a, a);
      expect(Array.from(a)).toEqual([1, 4, 9, 16, 25]);
    });
  });

  describe('with the default thresholds', () => {
    const tuned = createWasmKernels(variant);

    it('hands small elementwise calls to the reference (bit-identical results)', () => {
      const a = Float32Array.from([0.1, -0.2, 0.3]);
      const want = new Float32Array(3);
      const got = new Float32Array(3);
      referenceKernels.unary('exp', a, want);
      tuned.unary('exp', a, got);
      expect(got).toEqual(want);
    });

    it('still computes large calls correctly', () => {
      const rng = new Random(`tuned-${variant}`);
      checkMatmul(tuned, rng, 32, 48, 64, { transB: true });
      const a = randomArray(rng, 5000, -20, 20);
      const want = new Float32Array(a.length);
      const got = new Float32Array(a.length);
      referenceKernels.unary('tanh', a, want);
      tuned.unary('tanh', a, got);
      expect(relativeError(want, got)).toBeLessThanOrEqual(2e-6);
    });
  });
});
