/**
 * The kernel interface every backend implements. Kernels are pure functions over typed
 * arrays: they read their inputs and write `out`; they never allocate tensors, record
 * gradients or check shapes (the ops do that). Arrays are dense, row-major.
 *
 * The reference backend (plain TypeScript) implements every kernel for Float32Array and
 * Float64Array; other backends implement a subset for Float32Array and fall back to the
 * reference for the rest (see `registry.ts`).
 */
export type FloatArray = Float32Array | Float64Array;

export interface MatmulOptions {
  /** Read A as its transpose: A is stored [k, m] instead of [m, k]. */
  transA?: boolean;
  /** Read B as its transpose: B is stored [n, k] instead of [k, n]. */
  transB?: boolean;
  /** Add into `out` instead of overwriting it. */
  accumulate?: boolean;
}

/** Unary elementwise kernels: out[i] = f(a[i]); 'gelu' is GELU's tanh approximation. */
export type UnaryKernelName = 'neg' | 'exp' | 'log' | 'sqrt' | 'tanh' | 'sigmoid' | 'relu' | 'gelu';
/**
 * Binary elementwise kernels on equal-length arrays: out[i] = f(a[i], b[i]);
 * 'geluGrad' is `b * gelu'(a)` (a = GELU's input, b = the gradient of its output).
 */
export type BinaryKernelName = 'add' | 'sub' | 'mul' | 'div' | 'geluGrad';

export interface Kernels {
  /** Backend name, e.g. 'reference', 'wasm-simd', 'wasm-relaxed'. */
  readonly name: string;
  /**
   * out[m, n] (+)= A[m, k] @ B[k, n], with the transposition options above.
   * `out` never aliases `a` or `b`.
   */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, options?: MatmulOptions): void;
  /** out[i] = f(a[i]) for i < a.length; `out` may alias `a`. */
  unary(name: UnaryKernelName, a: FloatArray, out: FloatArray): void;
  /** out[i] = f(a[i], b[i]) for equal lengths; `out` may alias `a` or `b`. */
  binary(name: BinaryKernelName, a: FloatArray, b: FloatArray, out: FloatArray): void;
}
