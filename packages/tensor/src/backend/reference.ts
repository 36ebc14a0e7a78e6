import { BinaryKernelName, FloatArray, Kernels, MatmulOptions, UnaryKernelName } from './kernels';

/**
 * The reference kernels: plain TypeScript over Float32Array or Float64Array. Every other
 * backend is tested against these. Clear loops first, speed second.
 */
export const referenceKernels: Kernels = {
  name: 'reference',

  matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, options: MatmulOptions = {}): void {
    const { transA = false, transB = false, accumulate = false } = options;
    if (!accumulate) out.fill(0, 0, m * n);
    // i-p-j loop order: the inner loop walks rows of B and out contiguously.
    for (let i = 0; i < m; i++) {
      const outRow = i * n;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * m + i] : a[i * k + p];
        if (aip === 0) continue;
        if (transB) {
          for (let j = 0; j < n; j++) out[outRow + j] += aip * b[j * k + p];
        } else {
          const bRow = p * n;
          for (let j = 0; j < n; j++) out[outRow + j] += aip * b[bRow + j];
        }
      }
    }
  },

  unary(name: UnaryKernelName, a: FloatArray, out: FloatArray): void {
    const len = a.length;
    switch (name) {
      case 'neg': for (let i = 0; i < len; i++) out[i] = -a[i]; return;
      case 'exp': for (let i = 0; i < len; i++) out[i] = Math.exp(a[i]); return;
      case 'log': for (let i = 0; i < len; i++) out[i] = Math.log(a[i]); return;
      case 'sqrt': for (let i = 0; i < len; i++) out[i] = Math.sqrt(a[i]); return;
      case 'tanh': for (let i = 0; i < len; i++) out[i] = Math.tanh(a[i]); return;
      case 'sigmoid':
        for (let i = 0; i < len; i++) {
          const x = a[i];
          // Stable for large |x|: never exponentiates a large positive number.
          if (x >= 0) out[i] = 1 / (1 + Math.exp(-x));
          else { const e = Math.exp(x); out[i] = e / (1 + e); }
        }
        return;
      case 'relu': for (let i = 0; i < len; i++) out[i] = a[i] > 0 ? a[i] : 0; return;
      case 'gelu': for (let i = 0; i < len; i++) out[i] = gelu(a[i]); return;
      default: throw new Error(`reference kernels: unknown unary kernel '${name as string}'`);
    }
  },

  binary(name: BinaryKernelName, a: FloatArray, b: FloatArray, out: FloatArray): void {
    const len = a.length;
    switch (name) {
      case 'add': for (let i = 0; i < len; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < len; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < len; i++) out[i] = a[i] * b[i]; return;
      case 'div': for (let i = 0; i < len; i++) out[i] = a[i] / b[i]; return;
      case 'geluGrad': for (let i = 0; i < len; i++) out[i] = b[i] * geluDerivative(a[i]); return;
      default: throw new Error(`reference kernels: unknown binary kernel '${name as string}'`);
    }
  },
};

/** 2 sqrt(2/pi) and GELU's cubic coefficient. */
const GELU_2C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation: `0.5 x (1 + tanh(u))`, `u = sqrt(2/pi) (x + 0.044715 x^3)`, computed
 * as `x sigmoid(2u)` (the same function) so that it keeps its relative accuracy for x << 0.
 */
function gelu(x: number): number {
  const z = GELU_2C * (x + GELU_A * x * x * x); // 2u
  const e = Math.exp(-Math.abs(z));
  return x * (z >= 0 ? 1 / (1 + e) : e / (1 + e));
}

/** d gelu / dx = s + x s (1 - s) 2 sqrt(2/pi) (1 + 3a x^2), s = sigmoid(2u), s (1 - s) = e / (1 + e)^2. */
function geluDerivative(x: number): number {
  const z = GELU_2C * (x + GELU_A * x * x * x);
  const e = Math.exp(-Math.abs(z));
  const s0 = 1 / (1 + e);
  const s = z >= 0 ? s0 : e * s0;
  return s + x * e * s0 * s0 * GELU_2C * (1 + 3 * GELU_A * x * x);
}
