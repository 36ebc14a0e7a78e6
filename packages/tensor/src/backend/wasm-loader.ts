import { loadWasmBuild, WasmBuildSource, WasmVariant } from '../runtime/builds';
import { EmbeddedBuilds, embeddedBuilds } from '../runtime/embedded';
import { envVar } from '../runtime/node';
import { wasmFolder } from '../runtime/wasm-folder';
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
 * The `builds` table of wasm/builds.js, or undefined when it was not generated. A relative
 * `require` with a literal path, inside a function: bundlers inline the module, and nothing is
 * read at import.
 */
function embeddedTable(): EmbeddedBuilds | undefined {
  try {
    return (require('../../wasm/builds.js') as { builds?: EmbeddedBuilds }).builds;
  } catch {
    return undefined;
  }
}

/**
 * Where tensor's builds come from: the folder `LOOPFLOW_WASM_DIR` names (read with fs) if set,
 * else the bytes embedded in the package (wasm/builds.js, inlined in the bundles). The one
 * place that decides it; read when a build is first loaded, never at import.
 */
export function tensorBuildSource(): WasmBuildSource {
  const dir = envVar(WASM_DIR_ENV);
  return dir ? wasmFolder(dir) : embeddedBuilds(EMBEDDED_BUILDS, embeddedTable);
}

/**
 * Compiles (once) and returns the module of one of tensor's builds.
 * @throws BackendError `BACKEND_UNAVAILABLE` if the engine lacks the feature,
 *   `WASM_NOT_BUILT` if the build is missing, `WASM_LOAD_FAILED` if it does not compile.
 */
export function loadWasmModule(variant: WasmVariant, threaded = false): WasmModule {
  return loadWasmBuild(tensorBuildSource(), variant, threaded);
}
