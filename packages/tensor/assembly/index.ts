/**
 * Entry point of the loopflow WebAssembly kernels. Built by tools/build-wasm.js into
 * packages/tensor/wasm/{simd,relaxed,simd-mt,relaxed-mt}.wasm and driven from
 * packages/tensor/src/backend/wasm.ts. Every pointer argument is a byte offset into linear
 * memory; JavaScript owns the memory layout above `heapBase()`.
 */
export { matmul, matmulPack, matmulBlock, matmulScratchBytes } from './matmul';
export { unary, binary } from './elementwise';

/** First byte of linear memory that is free for the JavaScript side to use. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}

/** 1 when this build uses relaxed-SIMD FMA, else 0. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
