import { BackendError } from './backend-error';
import { WasmMemory } from './wasm-api';

/** WebAssembly pages are 64 KiB. */
const PAGE = 65536;
/** Every region starts on a cache line. */
const ALIGN = 64;

/**
 * The linear memory of one kernel instance, seen from JavaScript: a bump layout above the
 * module's heap base that is re-made for each kernel call (memory is only a scratch area; no
 * data lives there between calls), a memory that only grows (so the scratch region persists
 * and is reused without reallocation), and a Float32Array view re-made whenever growth replaced
 * the buffer.
 */
export class WasmArena {
  private view: Float32Array;
  private viewBuffer: ArrayBufferLike;

  /**
   * @param memory the instance's memory (exported, or imported and shared).
   * @param base first free byte, from the module's `heapBase()` export.
   */
  constructor(readonly memory: WasmMemory, readonly base: number) {
    this.viewBuffer = memory.buffer;
    this.view = new Float32Array(this.viewBuffer);
  }

  /** Rounds a byte count up to the region alignment. */
  static align(bytes: number): number {
    return Math.ceil(bytes / ALIGN) * ALIGN;
  }

  /**
   * Lays out consecutive regions of the given byte sizes above the heap base, grows memory to
   * hold them, and returns their byte offsets.
   * @throws BackendError `WASM_MEMORY` if the memory cannot grow that far.
   */
  layout(sizes: readonly number[]): number[] {
    const offsets: number[] = [];
    let end = this.base;
    for (const size of sizes) {
      offsets.push(end);
      end += WasmArena.align(size);
    }
    this.reserve(end);
    return offsets;
  }

  /** Makes bytes [0, end) addressable, growing with 25% headroom to limit repeated growth. */
  reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const want = Math.max(end, Math.floor(have * 1.25));
    const pages = Math.ceil((want - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (cause) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE)); // without headroom
      } catch {
        throw new BackendError(
          'WASM_MEMORY',
          `WebAssembly memory cannot grow from ${have} to ${end} bytes (${(cause as Error).message}); ` +
            'the operands are too large for the wasm backend — use setBackend("reference") for them',
          { cause },
        );
      }
    }
  }

  /** A Float32Array over the whole memory, re-made after growth. */
  get f32(): Float32Array {
    const buffer = this.memory.buffer;
    if (buffer !== this.viewBuffer || this.view.length * 4 !== buffer.byteLength) {
      this.viewBuffer = buffer;
      this.view = new Float32Array(buffer);
    }
    return this.view;
  }
}
