import { LoopflowError } from '@loopflow/tensor';
import { FusedMemory } from './wasm-module';

/** WebAssembly pages are 64 KiB. */
const PAGE = 65536;
/** Regions start on cache lines. */
const ALIGN = 64;
/**
 * Readable bytes after every region: the kernels load whole 4-float vectors past the end of a
 * row whose length is not a multiple of 4 (and the matmul reads whole vectors past B).
 */
const SLACK = 64;

interface Block {
  offset: number;
  size: number;
  free: boolean;
}

/**
 * A first-fit allocator over one WebAssembly instance's linear memory, above its heap base.
 * Memory only grows (with 25% headroom); freed regions coalesce and are reused, so a training
 * loop that asks for the same sizes every step stops growing after the first step. Typed
 * views are re-made whenever growth replaced the buffer (a shared memory keeps the old buffer
 * valid but short): take `f32` / `i32` after allocating.
 */
export class WasmHeap {
  private readonly blocks: Block[] = [];
  private top: number;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(private readonly memory: FusedMemory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** Bytes currently reserved (free or not) above the heap base. */
  get reservedBytes(): number {
    return this.top;
  }

  /**
   * A region of at least `bytes` bytes (64-byte aligned, followed by readable slack); its byte offset.
   * @throws LoopflowError `FUSED_WASM_MEMORY` when linear memory cannot grow that far.
   */
  alloc(bytes: number): number {
    const size = Math.ceil((bytes + SLACK) / ALIGN) * ALIGN;
    for (let i = 0; i < this.blocks.length; i++) {
      const block = this.blocks[i];
      if (!block.free || block.size < size) continue;
      if (block.size > size) this.blocks.splice(i + 1, 0, { offset: block.offset + size, size: block.size - size, free: true });
      block.size = size;
      block.free = false;
      return block.offset;
    }
    const offset = this.top;
    this.reserve(offset + size);
    this.top = offset + size;
    this.blocks.push({ offset, size, free: false });
    return offset;
  }

  /** Returns a region from `alloc` (0 is ignored). */
  free(offset: number): void {
    if (offset === 0) return;
    const i = this.blocks.findIndex((b) => b.offset === offset);
    if (i < 0 || this.blocks[i].free) return;
    this.blocks[i].free = true;
    const next = this.blocks[i + 1];
    if (next && next.free) {
      this.blocks[i].size += next.size;
      this.blocks.splice(i + 1, 1);
    }
    const previous = this.blocks[i - 1];
    if (previous && previous.free) {
      previous.size += this.blocks[i].size;
      this.blocks.splice(i, 1);
    }
    // A free block at the top is given back to the bump pointer.
    const last = this.blocks[this.blocks.length - 1];
    if (last && last.free) {
      this.top = last.offset;
      this.blocks.pop();
    }
  }

  private reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    this.grow(end, have);
    // Only this heap grows the memory, so the views are re-made here (reading memory.buffer
    // on every access costs a call into the engine).
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  private grow(end: number, have: number): void {
    const want = Math.max(end, Math.floor(have * 1.25));
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch (cause) {
        throw new LoopflowError('FUSED_WASM_MEMORY', `fused kernels: WebAssembly memory cannot grow from ${have} to ${end} bytes (${(cause as Error).message}); the sequence is too large for the fused path (use smaller batches or setLayerRunner(null))`);
      }
    }
  }

  /** A Float32Array over the whole memory (re-made after growth). */
  get f32(): Float32Array {
    return this.f32View;
  }

  /** An Int32Array over the whole memory (re-made after growth). */
  get i32(): Int32Array {
    return this.i32View;
  }
}

/**
 * Regions taken one by one and given back together: `alloc` as the heap's, remembering each
 * offset; `freeAll` returns them all (a call's buffers in a `finally`, a stream's when it dies).
 */
export class HeapRegions {
  private readonly offsets: number[] = [];
  constructor(private readonly heap: WasmHeap) {}

  /** A region of at least `bytes` bytes, as `WasmHeap.alloc`; remembered for `freeAll`. */
  alloc(bytes: number): number {
    const offset = this.heap.alloc(bytes);
    this.offsets.push(offset);
    return offset;
  }

  /** Frees every region taken so far. */
  freeAll(): void {
    for (const offset of this.offsets) this.heap.free(offset);
    this.offsets.length = 0;
  }
}
