import { BackendError } from '../backend/backend-error';
import { WasmBuildSource } from './builds';
import { nodeModule } from './node';

/**
 * The builds in a folder on disk (e.g. packages/tensor/wasm, or the folder that
 * `LOOPFLOW_WASM_DIR` names). The only place the runtime reads files, and only when asked:
 * packages load their embedded builds by default (see `embeddedBuilds`). A relative `dir`
 * resolves from the working directory.
 *
 * @example
 * loadWasmBuild(wasmFolder('/path/to/my-kernels/wasm'), 'simd');
 * @throws BackendError `BACKEND_UNAVAILABLE` on reading, where there is no file system (outside Node).
 */
export function wasmFolder(dir: string): WasmBuildSource {
  const where = (file: string): string => {
    const path = nodeModule('path');
    return path ? path.resolve(dir, file) : `${dir.replace(/\/+$/, '')}/${file}`;
  };
  return {
    locate: where,
    read: (file) => {
      const fs = nodeModule('fs');
      if (!fs) {
        throw new BackendError('BACKEND_UNAVAILABLE', `cannot read ${where(file)}: reading a folder of WebAssembly builds needs Node.js (its fs module); use the embedded builds instead`);
      }
      const path = where(file);
      return fs.existsSync(path) ? fs.readFileSync(path) : undefined;
    },
  };
}
