import { WasmBuildSource } from './builds';

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
 * returns its `builds` table, or undefined when the module is missing (kernels not built). It
 * is called on the first read only.
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
        table = load();
        loaded = true;
      }
      const text = table && Object.prototype.hasOwnProperty.call(table, file) ? table[file] : undefined;
      return typeof text === 'string' ? decodeBase64(text) : undefined;
    },
  };
}
