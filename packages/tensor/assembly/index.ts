/**
 * Entry point of the loopflow WebAssembly kernels. Built by tools/build-wasm.js into
 * packages/tensor/wasm/{simd,relaxed,simd-mt,relaxed-mt}.wasm and driven from
 * packages/tensor/src/backend/wasm.ts. Every pointer argument is a byte offset into linear
 * memory; JavaScript owns the memory layout above `heapBase()`.
 */
export { matmul, matmulPack, matmulBlock, matmulScratchBytes } from './matmul';
export { unary, binary } from './elementwise';

export { heapBase, relaxedSimd } from './build';
