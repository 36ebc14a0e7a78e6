import * as path from 'path';
import { loadWasmBuild, WasmVariant, wasmBuildFile } from '../runtime/builds';
import { wasmFolder } from '../runtime/wasm-folder';
import { WasmModule } from '../runtime/webassembly';

/**
 * Where this package's own builds (packages/tensor/wasm, made by tools/build-wasm.js) come
 * from, and their loading through the runtime (compiled once per process, cached).
 */

/**
 * The folder holding tensor's .wasm files: `LOOPFLOW_WASM_DIR` if set, else
 * packages/tensor/wasm (two levels above this file, in src/backend or dist/backend alike).
 * The one place that decides where the bytes of tensor's builds come from.
 */
export function wasmDir(): string {
  const fromEnv = process.env['LOOPFLOW_WASM_DIR'];
  return fromEnv ? path.resolve(fromEnv) : path.resolve(__dirname, '..', '..', 'wasm');
}

/** Path of one build: `simd.wasm`, `relaxed.wasm`, or their `-mt` (shared memory) versions. */
export function wasmPath(variant: WasmVariant, threaded = false): string {
  return path.join(wasmDir(), wasmBuildFile(variant, threaded));
}

/**
 * Compiles (once) and returns the module of one of tensor's builds.
 * @throws BackendError `BACKEND_UNAVAILABLE` if the engine lacks the feature,
 *   `WASM_NOT_BUILT` if the file is missing, `WASM_LOAD_FAILED` if it does not compile.
 */
export function loadWasmModule(variant: WasmVariant, threaded = false): WasmModule {
  return loadWasmBuild(wasmFolder(wasmDir()), variant, threaded);
}
