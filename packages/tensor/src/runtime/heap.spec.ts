import { BackendError } from '../backend/backend-error';
import { HeapRegions, WasmHeap } from './heap';
import { WasmMemory, webAssembly } from './webassembly';

const PAGE = 65536;

function memory(pages = 1): WasmMemory {
  return new webAssembly!.Memory({ initial: pages, maximum: 64 });
}

/** A memory that cannot grow. */
function fixedMemory(): WasmMemory {
  return {
    buffer: new ArrayBuffer(PAGE),
    grow(): number {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    },
  };
}

describe('WasmHeap', () => {
  it('hands out 64-byte aligned regions above the heap base, each followed by 64 readable bytes', () => {
    const heap = new WasmHeap(memory(), 100);
    const a = heap.alloc(10);
    const b = heap.alloc(128);
    expect(a).toBe(128); // the base rounded up to a cache line
    expect(b % 64).toBe(0);
    expect(b - a).toBeGreaterThanOrEqual(10 + 64);
    expect(heap.reservedBytes - b).toBeGreaterThanOrEqual(128 + 64);
  });

  it('reuses freed regions (coalesced) and gives a free top back', () => {
    const heap = new WasmHeap(memory(), 64);
    const a = heap.alloc(1000);
    const b = heap.alloc(1000);
    const c = heap.alloc(1000);
    const top = heap.reservedBytes;
    heap.free(a);
    heap.free(b);
    expect(heap.alloc(2000)).toBe(a); // a and b merged into one free block
    expect(heap.reservedBytes).toBe(top);
    heap.free(c);
    // c and the free rest of the merged block below it went back to the bump pointer.
    expect(heap.reservedBytes).toBe(a + WasmHeap.align(2000 + 64));
    heap.free(0); // ignored
    heap.free(12345); // ignored
    heap.free(a);
    expect(heap.reservedBytes).toBe(64);
  });

  it('grows the memory and re-makes its views', () => {
    const mem = memory(1);
    const heap = new WasmHeap(mem, 64);
    const before = heap.f32;
    const big = heap.alloc(3 * PAGE);
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(big + 3 * PAGE + 64);
    expect(heap.f32).not.toBe(before);
    expect(heap.f32.buffer).toBe(mem.buffer);
    expect(heap.i32.buffer).toBe(mem.buffer);
    heap.f32[(big >> 2) + 3 * (PAGE >> 2) - 1] = 1.5; // the last float of the region is addressable
    expect(new Float32Array(mem.buffer)[(big >> 2) + 3 * (PAGE >> 2) - 1]).toBe(1.5);
  });

  it('lays out scratch regions for one call above the allocated ones', () => {
    const heap = new WasmHeap(memory(1), 64);
    const kept = heap.alloc(100);
    const [x, y] = heap.scratch([4 * PAGE, 8]);
    expect(x).toBe(heap.reservedBytes);
    expect(x).toBeGreaterThan(kept);
    expect(y - x).toBeGreaterThanOrEqual(4 * PAGE + 64);
    expect(heap.f32.length * 4).toBeGreaterThanOrEqual(y + 8 + 64);
    expect(heap.reservedBytes).toBe(x); // scratch is not kept
  });

  it('throws WASM_MEMORY, or the error its owner makes, when the memory cannot grow', () => {
    const heap = new WasmHeap(fixedMemory(), 64);
    let caught: unknown;
    try {
      heap.alloc(2 * PAGE);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BackendError);
    expect((caught as BackendError).code).toBe('WASM_MEMORY');
    expect((caught as BackendError).message).toContain(`cannot grow from ${PAGE} to`);
    const own = new WasmHeap(fixedMemory(), 64, (have, end) => new Error(`mine: ${have} -> ${end}`));
    expect(() => own.scratch([2 * PAGE])).toThrow(`mine: ${PAGE} -> ${64 + 2 * PAGE + 64}`);
  });
});

describe('HeapRegions', () => {
  it('frees every region it took at once', () => {
    const heap = new WasmHeap(memory(), 64);
    const kept = heap.alloc(10);
    const regions = new HeapRegions(heap);
    regions.alloc(500);
    regions.alloc(70000);
    expect(heap.reservedBytes).toBeGreaterThan(70000);
    regions.freeAll();
    expect(heap.reservedBytes).toBe(kept + 128);
    regions.freeAll(); // nothing left: no-op
    expect(heap.alloc(500)).toBe(kept + 128);
  });
});
