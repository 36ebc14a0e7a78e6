import { LoopflowError, WasmHeap as RuntimeHeap, WasmMemory } from '@loopflow/tensor';

/**
 * The fused kernels' memory regions: @loopflow/tensor's runtime heap (first-fit regions above
 * the heap base, 64-byte aligned with 64 readable bytes after each, growth, views re-made after
 * growth; `HeapRegions` frees a group at once), failing with `FUSED_WASM_MEMORY`, which the
 * layer runner takes as "decline this call" (the composed path runs it).
 */
export class WasmHeap extends RuntimeHeap {
  constructor(memory: WasmMemory, base: number) {
    super(memory, base, (have, end, cause) =>
      new LoopflowError(
        'FUSED_WASM_MEMORY',
        `fused kernels: WebAssembly memory cannot grow from ${have} to ${end} bytes (${cause.message}); the sequence is too large for the fused path (use smaller batches or setLayerRunner(null))`,
      ),
    );
  }
}
