import * as fs from 'fs';
import * as path from 'path';
import { WasmBuildSource } from './builds';

/**
 * The builds in a folder on disk (e.g. packages/tensor/wasm). The only place the runtime reads
 * files: a page gets its bytes from another {@link WasmBuildSource} instead.
 *
 * @example
 * loadWasmBuild(wasmFolder(path.resolve(__dirname, '..', '..', 'wasm')), 'simd');
 */
export function wasmFolder(dir: string): WasmBuildSource {
  return {
    locate: (file) => path.join(dir, file),
    read: (file) => {
      const where = path.join(dir, file);
      return fs.existsSync(where) ? fs.readFileSync(where) : undefined;
    },
  };
}
