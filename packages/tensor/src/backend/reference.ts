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
      default: throw new Error(`reference kernels: unknown binary kernel '${name as string}'`);
    }
  },
};
