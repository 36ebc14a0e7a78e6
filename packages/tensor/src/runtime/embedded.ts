import { WasmBuildSource } from './builds';
import { envVar } from './node';
import { wasmFolder } from './wasm-folder';

/**
 * The builds a package ships inside its JavaScript: tools/build-wasm.js writes, next to each
 * package's .wasm files, a generated CommonJS module `wasm/builds.js` whose `builds` export maps
 * each build's file name (`simd.wasm`, ...) to its bytes in base64. The package requires it by a
 * relative path, so a bundler (esbuild, with default options) inlines it: the installed package
 * and a page read no file. The bytes are decoded on first load of a build, without `Buffer`.
 */

/** What a generated `wasm/builds.js` exports as `builds`: base64 bytes by build file name. */
export type EmbeddedBuilds = Readonly<Record<string, string>>;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let decodeTable: Int16Array | undefined;

/**
 * Decodes standard base64 (padding optional; no whitespace) to bytes, with no `Buffer` or `atob`.
 * @throws Error on a character outside the alphabet.
 */
export function decodeBase64(text: string): Uint8Array {
  if (!decodeTable) {
    decodeTable = new Int16Array(128).fill(-1);
    for (let i = 0; i < ALPHABET.length; i++) decodeTable[ALPHABET.charCodeAt(i)] = i;
  }
  const table = decodeTable;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? table[code] : -1;
    if (value < 0) throw new Error(`invalid base64: character ${JSON.stringify(text[i])} at ${i}`);
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

/**
 * The builds embedded in a package (see above): `where` names the generated module, for
 * messages and as the cache key of its builds (e.g. 'packages/cells/wasm/builds.js'); `load`
 * returns its `builds` table; when it throws (the module is missing: kernels not built) or
 * returns undefined, the builds read as missing. It is called on the first read only.
 *
 * @example
 * embeddedBuilds('packages/cells/wasm/builds.js', () => require('../../wasm/builds.js').builds);
 */
export function embeddedBuilds(where: string, load: () => EmbeddedBuilds | undefined): WasmBuildSource {
  let table: EmbeddedBuilds | undefined;
  let loaded = false;
  return {
    locate: (file) => `${where} (${file})`,
    read: (file) => {
      if (!loaded) {
        try {
          table = load();
        } catch {
          table = undefined;
        }
        loaded = true;
      }
      const text = table && Object.prototype.hasOwnProperty.call(table, file) ? table[file] : undefined;
      return typeof text === 'string' ? decodeBase64(text) : undefined;
    },
  };
}

/**
 * Where a package's builds come from, decided in one place when a build is first loaded (never
 * at import): the folder that the environment variable `dirVariable` names (read with fs) when it
 * is set, else the bytes embedded in the package (`embeddedBuilds(where, load)`).
 *
 * @example
 * packageBuildSource('LOOPFLOW_CELLS_WASM_DIR', 'packages/cells/wasm/builds.js', () => require('../../wasm/builds.js').builds);
 */
export function packageBuildSource(dirVariable: string, where: string, load: () => EmbeddedBuilds | undefined): WasmBuildSource {
  const dir = envVar(dirVariable);
  return dir ? wasmFolder(dir) : embeddedBuilds(where, load);
}
