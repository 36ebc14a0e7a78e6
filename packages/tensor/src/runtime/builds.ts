import { BackendError } from '../backend/backend-error';
import { relaxedSimdSupport, simdSupported } from './features';
import { engineName } from './node';
import { WasmMemory, WasmModule, webAssembly } from './webassembly';

/**
 * Module loading: a package's kernels come as four builds made by tools/build-wasm.js
 * (`simd.wasm`, `relaxed.wasm` and their shared-memory `-mt` versions); a
 * {@link WasmBuildSource} says where their bytes come from (a folder on disk, see
 * `wasmFolder`, or anything else that can hand over bytes). Loading is synchronous
 * (`new WebAssembly.Module`) because kernels are called synchronously; each build is compiled
 * once per process and cached.
 */

/** Which instruction set a build uses: plain SIMD, or SIMD plus relaxed-SIMD FMA. */
export type WasmVariant = 'simd' | 'relaxed';

/** Where the bytes of a package's builds come from. */
export interface WasmBuildSource {
  /** Where the build `file` (e.g. `relaxed-mt.wasm`) is, for messages and as its cache key (a path). */
  locate(file: string): string;
  /** The bytes of `file`, or undefined when there is none (not built). */
  read(file: string): Uint8Array | undefined;
}

/** How to make the files, for error messages. */
export const BUILD_HINT = 'run `npm run build:wasm` (it runs on `npm ci` too)';

/** File name of a build: `simd.wasm`, `relaxed.wasm`, or their `-mt` (shared memory) versions. */
export function wasmBuildFile(variant: WasmVariant, threaded = false): string {
  return `${variant}${threaded ? '-mt' : ''}.wasm`;
}

/** Whether the engine can run `variant` (enabling relaxed SIMD via a V8 flag if needed). */
export function engineSupports(variant: WasmVariant): boolean {
  return variant === 'simd' ? simdSupported() : relaxedSimdSupport() !== 'unsupported';
}

const moduleCache = new Map<string, WasmModule>();

/**
 * Compiles (once per location) and returns the module of one build of a package's kernels.
 *
 * @example
 * const module = loadWasmBuild(wasmFolder('/path/to/package/wasm'), 'relaxed', true);
 * @throws BackendError `BACKEND_UNAVAILABLE` if the engine lacks the feature,
 *   `WASM_NOT_BUILT` if the file is missing, `WASM_LOAD_FAILED` if it does not compile.
 */
export function loadWasmBuild(source: WasmBuildSource, variant: WasmVariant, threaded = false): WasmModule {
  const file = wasmBuildFile(variant, threaded);
  const where = source.locate(file);
  const cached = moduleCache.get(where);
  if (cached) return cached;
  if (!engineSupports(variant)) {
    const need = variant === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly relaxed SIMD (Node >= 22, or Node 20 with --experimental-wasm-relaxed-simd)';
    throw new BackendError('BACKEND_UNAVAILABLE', `the wasm-${variant} backend needs ${need}, which this engine (${engineName()}) lacks`);
  }
  const bytes = source.read(file);
  if (bytes === undefined) {
    throw new BackendError('WASM_NOT_BUILT', `the WebAssembly kernels are not built: ${where} is missing; ${BUILD_HINT}`);
  }
  let module: WasmModule;
  try {
    module = new webAssembly!.Module(bytes);
  } catch (cause) {
    throw new BackendError(
      'WASM_LOAD_FAILED',
      `could not compile ${where}: ${(cause as Error).message}; rebuild it with \`npm run build:wasm\``,
      { cause },
    );
  }
  moduleCache.set(where, module);
  return module;
}

/** An instance of a build and the linear memory it runs on. */
export interface WasmKernelInstance<Exports> {
  /** The instance's exports, typed by the caller (the package's contract with its assembly). */
  readonly exports: Exports;
  /** Its memory: the exported one (single-threaded builds) or the shared one it imports. */
  readonly memory: WasmMemory;
}

/** Largest memory of a shared instance, in 64 KiB pages (the `-mt` builds' maximum: 4 GiB). */
export const SHARED_MAX_PAGES = 65536;

/**
 * A new shared linear memory for a `-mt` build, `initialPages` 64 KiB pages to start with.
 * @throws BackendError `BACKEND_UNAVAILABLE` where the engine lacks SharedArrayBuffer.
 */
export function createSharedMemory(initialPages: number): WasmMemory {
  if (typeof SharedArrayBuffer !== 'function') {
    throw new BackendError('BACKEND_UNAVAILABLE', 'multi-threaded wasm kernels need SharedArrayBuffer');
  }
  return new webAssembly!.Memory({ initial: initialPages, maximum: SHARED_MAX_PAGES, shared: true });
}

/**
 * Instantiates a build: a single-threaded build on the memory it exports (`shared` omitted),
 * a `-mt` build on the shared memory it imports as `env.memory` (helper threads instantiate
 * the same module on the same memory).
 *
 * @example
 * const { exports, memory } = instantiateWasm<MyExports>(module, createSharedMemory(16));
 */
export function instantiateWasm<Exports extends object>(module: WasmModule, shared?: WasmMemory): WasmKernelInstance<Exports> {
  const instance = new webAssembly!.Instance(module, shared ? { env: { memory: shared } } : {});
  const exports = instance.exports as Exports & { memory?: WasmMemory };
  const memory = shared ?? exports.memory;
  if (!memory) throw new BackendError('WASM_LOAD_FAILED', 'a single-threaded WebAssembly build exports no memory; rebuild it with `npm run build:wasm`');
  return { exports, memory };
}
