import { BinaryKernelName, UnaryKernelName } from './kernels';
import { WasmMemory } from '../runtime/webassembly';

/**
 * The contract between the TypeScript side and the AssemblyScript kernels
 * (packages/tensor/assembly). Pointers are byte offsets into linear memory. Keep the codes
 * here in sync with assembly/elementwise.ts and assembly/matmul.ts; the wasm tests check
 * every op against the reference, so a mismatch fails them.
 */
export interface KernelExports {
  /** The exported memory of the single-threaded builds (the shared builds import theirs). */
  readonly memory?: WasmMemory;
  /** First free byte of linear memory (64-byte aligned). */
  heapBase(): number;
  /** 1 if the build uses relaxed-SIMD FMA. */
  relaxedSimd(): number;
  matmul(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, scratch: number): void;
  matmulPack(a: number, b: number, m: number, k: number, n: number, flags: number, scratch: number): void;
  /** Computes C[i0..i1) x [j0..j1) (j0 a multiple of 16) of a product prepared by `matmulPack`. */
  matmulBlock(
    a: number, b: number, c: number, m: number, k: number, n: number, flags: number, scratch: number,
    i0: number, i1: number, j0: number, j1: number,
  ): void;
  /** Scratch bytes for `matmul` (threaded = 0) or for `matmulPack` + `matmulBlock` (threaded = 1). */
  matmulScratchBytes(m: number, k: number, n: number, flags: number, threaded: number): number;
  /** In place over `len` floats (rounded up to a multiple of 4); returns -1 for an unknown op. */
  unary(op: number, a: number, len: number): number;
  /** a[i] = f(a[i], b[i]) in place; returns -1 for an unknown op. */
  binary(op: number, a: number, b: number, len: number): number;
}

/** `flags` bits of the matmul exports. */
export const MATMUL_TRANS_A = 1;
export const MATMUL_TRANS_B = 2;
export const MATMUL_ACCUMULATE = 4;

/** Op codes of the `unary` export. */
export const UNARY_OPS: Readonly<Record<UnaryKernelName, number>> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  tanh: 4,
  sigmoid: 5,
  relu: 6,
  gelu: 7,
};

/** Op codes of the `binary` export. */
export const BINARY_OPS: Readonly<Record<BinaryKernelName, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  geluGrad: 4,
};
