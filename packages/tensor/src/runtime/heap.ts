import { BackendError } from '../backend/backend-error';
import { WasmMemory } from './webassembly';

/** WebAssembly pages are 64 KiB. */
const PAGE = 65536;
/** Every region starts on a cache line. */
const ALIGN = 64;
/**
 * Readable bytes after every region: SIMD kernels load whole 4-float vectors past the end of a
 * row whose length is not a multiple of 4 (and a matrix product reads whole vectors past B).
 */
const SLACK = 64;

/** Makes the error thrown when memory cannot grow from `have` to `end` bytes. */
export type MemoryErrorFactory = (have: number, end: number, cause: Error) => Error;

/** The default error of {@link WasmHeap}: BackendError `WASM_MEMORY`. */
const backendMemoryError: MemoryErrorFactory = (have, end, cause) =>
  new BackendError(
    'WASM_MEMORY',
    `WebAssembly memory cannot grow from ${have} to ${end} bytes (${cause.message}); ` +
      'the operands are too large for the wasm backend — use setBackend("reference") for them',
    { cause },
  );

interface Block {
  offset: number;
  size: number;
  free: boolean;
}

/**
 * Memory regions of one instance's linear memory, above the module's heap base (the bytes
 * below belong to the module's static data), seen from JavaScript:
 *
 * - `alloc` / `free`: first-fit regions that live until freed. Freed regions coalesce and are
 *   reused, so a training loop that asks for the same sizes every step stops growing after the
 *   first step (the garbage collector does not free linear memory: free what you alloc).
 * - `scratch`: consecutive regions laid out above the allocated ones for one kernel call; they
 *   are valid until the next `alloc` or `scratch`.
 *
 * Every region starts on a 64-byte cache line and is followed by at least 64 readable bytes.
 * Memory only grows (with 25% headroom, to limit repeated growth). The typed views `f32` and
 * `i32` are re-made whenever growth replaced the buffer (an unshared memory detaches the old
 * one; a shared one keeps it valid but short): take them after allocating. Only the heap may
 * grow its memory.
 *
 * @example
 * const heap = new WasmHeap(memory, exports.heapBase());
 * const x = heap.alloc(n * 4);                  // [n] floats
 * heap.f32.set(values, x >> 2);
 * exports.kernel(x, n);
 * heap.free(x);
 */
export class WasmHeap {
  private readonly blocks: Block[] = [];
  private top: number;
  private f32View: Float32Array;
  private i32View: Int32Array;

  /**
   * @param memory the instance's memory (exported, or imported and shared).
   * @param base first free byte, from the module's `heapBase()` export.
   * @param memoryError makes the error thrown when memory cannot grow (default: BackendError
   *   `WASM_MEMORY`); a package gives its own code and advice.
   */
  constructor(
    readonly memory: WasmMemory,
    base: number,
    private readonly memoryError: MemoryErrorFactory = backendMemoryError,
  ) {
    this.top = WasmHeap.align(base);
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** Rounds a byte count up to the region alignment (64). */
  static align(bytes: number): number {
    return Math.ceil(bytes / ALIGN) * ALIGN;
  }

  /** End of the allocated regions (free or not): the heap base plus what `alloc` reserved. */
  get reservedBytes(): number {
    return this.top;
  }

  /**
   * A region of at least `bytes` bytes; its byte offset.
   * @throws the heap's memory error (default BackendError `WASM_MEMORY`) when linear memory
   *   cannot grow that far.
   */
  alloc(bytes: number): number {
    const size = WasmHeap.align(bytes + SLACK);
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

  /** Returns a region from `alloc` (0 and unknown offsets are ignored). */
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

  /**
   * Lays out consecutive regions of the given byte sizes above the allocated ones for one
   * kernel call, grows memory to hold them, and returns their byte offsets. They stay valid
   * until the next `alloc` or `scratch`.
   * @throws as `alloc`.
   */
  scratch(sizes: readonly number[]): number[] {
    const offsets: number[] = [];
    let end = this.top;
    for (const size of sizes) {
      offsets.push(end);
      end += WasmHeap.align(size + SLACK);
    }
    this.reserve(end);
    return offsets;
  }

  /** Makes bytes [0, end) addressable, growing the memory if needed (and re-making the views). */
  reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const want = Math.max(end, Math.floor(have * 1.25));
    try {
      this.memory.grow(Math.ceil((want - have) / PAGE));
    } catch (cause) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE)); // without headroom
      } catch {
        throw this.memoryError(have, end, cause as Error);
      }
    }
    // Only this heap grows the memory, so the views are re-made here (reading memory.buffer
    // on every access costs a call into the engine).
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
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
