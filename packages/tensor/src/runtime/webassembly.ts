/**
 * Typed access to the engine's `WebAssembly` global. The workspace compiles against
 * `lib: ES2022` and @types/node 20, neither of which declares `WebAssembly`, so this file
 * describes the small part the runtime uses instead of changing the shared tsconfig.
 */

/** A WebAssembly linear memory (its buffer is a SharedArrayBuffer when it is shared). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Grows by `pages` 64 KiB pages; returns the old size in pages; throws RangeError on failure. */
  grow(pages: number): number;
}

/** A compiled module (opaque here; it can be posted to worker threads). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** An instance; `exports` are cast to the module's known shape by the caller. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The members of the `WebAssembly` global the runtime uses. */
export interface WebAssemblyNamespace {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The engine's `WebAssembly` object, or undefined where it does not exist. */
export const webAssembly: WebAssemblyNamespace | undefined = (globalThis as { WebAssembly?: WebAssemblyNamespace })
  .WebAssembly;
