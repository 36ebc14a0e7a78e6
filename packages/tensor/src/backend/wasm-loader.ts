import * as fs from 'fs';
import * as path from 'path';
import { BackendError } from './backend-error';
import { WasmModule, webAssembly } from './wasm-api';
import { relaxedSimdSupport, simdSupported } from './wasm-features';

/**
 * Finds and compiles the .wasm builds made by tools/build-wasm.js. Loading is synchronous
 * (`fs.readFileSync` + `new WebAssembly.Module`) because ops call kernels synchronously;
 * each module is compiled once per process and cached.
 */

/** Which instruction set a build uses: plain SIMD, or SIMD plus relaxed-SIMD FMA. */
export type WasmVariant = 'simd' | 'relaxed';

/** How to make the files, for error messages. */
export const BUILD_HINT = 'run `npm run build:wasm` (it runs on `npm ci` too)';

/**
 * The folder holding the .wasm files: `LOOPFLOW_WASM_DIR` if set, else packages/tensor/wasm
 * (two levels above this file, in src/backend or dist/backend alike).
 */
export function wasmDir(): string {
  const fromEnv = process.env['LOOPFLOW_WASM_DIR'];
  return fromEnv ? path.resolve(fromEnv) : path.resolve(__dirname, '..', '..', 'wasm');
}

/** Path of one build: `simd.wasm`, `relaxed.wasm`, or their `-mt` (shared memory) versions. */
export function wasmPath(variant: WasmVariant, threaded = false): string {
  return path.join(wasmDir(), `${variant}${threaded ? '-mt' : ''}.wasm`);
}

/** Whether the engine can run `variant` (enabling relaxed SIMD via a V8 flag if needed). */
export function engineSupports(variant: WasmVariant): boolean {
  return variant === 'simd' ? simdSupported() : relaxedSimdSupport() !== 'unsupported';
}

const moduleCache = new Map<string, WasmModule>();

/**
 * Compiles (once) and returns the module of a build.
 * @throws BackendError `BACKEND_UNAVAILABLE` if the engine lacks the feature,
 *   `WASM_NOT_BUILT` if the file is missing, `WASM_LOAD_FAILED` if it does not compile.
 */
export function loadWasmModule(variant: WasmVariant, threaded = false): WasmModule {
  const file = wasmPath(variant, threaded);
  const cached = moduleCache.get(file);
  if (cached) return cached;
  if (!engineSupports(variant)) {
    const need = variant === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly relaxed SIMD (Node >= 22, or Node 20 with --experimental-wasm-relaxed-simd)';
    throw new BackendError('BACKEND_UNAVAILABLE', `the wasm-${variant} backend needs ${need}, which this engine (Node ${process.version}) lacks`);
  }
  if (!fs.existsSync(file)) {
    throw new BackendError('WASM_NOT_BUILT', `the WebAssembly kernels are not built: ${file} is missing; ${BUILD_HINT}`);
  }
  let module: WasmModule;
  try {
    module = new webAssembly!.Module(fs.readFileSync(file));
  } catch (cause) {
    throw new BackendError(
      'WASM_LOAD_FAILED',
      `could not compile ${file}: ${(cause as Error).message}; rebuild it with \`npm run build:wasm\``,
      { cause },
    );
  }
  moduleCache.set(file, module);
  return module;
}
