import { loadWasmBuild, WasmBuildSource, WasmVariant } from '../runtime/builds';
import { packageBuildSource } from '../runtime/embedded';
import { WasmModule } from '../runtime/webassembly';

/**
 * Where this package's own builds (made by tools/build-wasm.js from packages/tensor/assembly)
 * come from, and their loading through the runtime (compiled once per process, cached).
 */

/** The environment variable that points tensor at a folder of .wasm builds instead of its embedded ones. */
export const WASM_DIR_ENV = 'LOOPFLOW_WASM_DIR';

/** The generated module holding tensor's builds, relative to the package (for messages). */
export const EMBEDDED_BUILDS = 'packages/tensor/wasm/builds.js';

/**
 * Where tensor's builds come from: the folder `LOOPFLOW_WASM_DIR` names (read with fs) if set,
 * else the bytes embedded in the package (wasm/builds.js, inlined in the bundles). The one
 * place that decides it; read when a build is first loaded, never at import.
 */
export function tensorBuildSource(): WasmBuildSource {
  // A literal relative require inside a function: bundlers inline the module; nothing is read at import.
  return packageBuildSource(WASM_DIR_ENV, EMBEDDED_BUILDS, () => require('../../wasm/builds.js').builds);
}

/**
 * Compiles (once) and returns the module of one of tensor's builds.
 * @throws BackendError `BACKEND_UNAVAILABLE` if the engine lacks the feature,
 *   `WASM_NOT_BUILT` if the build is missing, `WASM_LOAD_FAILED` if it does not compile.
 */
export function loadWasmModule(variant: WasmVariant, threaded = false): WasmModule {
  return loadWasmBuild(tensorBuildSource(), variant, threaded);
}
