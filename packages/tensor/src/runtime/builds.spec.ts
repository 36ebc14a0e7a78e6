import * as path from 'path';
import { BackendError } from '../backend/backend-error';
import { createSharedMemory, instantiateWasm, loadWasmBuild, WasmBuildSource, wasmBuildFile } from './builds';
import { wasmFolder } from './wasm-folder';
import { decodeBase64, embeddedBuilds } from './embedded';

// These tests FAIL (they do not skip) when the .wasm files are missing: CI builds them on
// `npm ci` through the root "prepare" script (tools/build-wasm.js).
const TENSOR_WASM = path.resolve(__dirname, '..', '..', 'wasm');

/** A source that serves fixed bytes and counts its reads. */
function bytesSource(name: string, bytes: Uint8Array | undefined): WasmBuildSource & { reads: number } {
  const source = {
    reads: 0,
    locate: (file: string) => `memory://${name}/${file}`,
    read: () => {
      source.reads++;
      return bytes;
    },
  };
  return source;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof BackendError ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}

describe('module loading', () => {
  it('names the four builds', () => {
    expect([wasmBuildFile('simd'), wasmBuildFile('relaxed'), wasmBuildFile('simd', true), wasmBuildFile('relaxed', true)])
      .toEqual(['simd.wasm', 'relaxed.wasm', 'simd-mt.wasm', 'relaxed-mt.wasm']);
  });

  it('says where a missing build should be (WASM_NOT_BUILT) and what to run', () => {
    expect(() => loadWasmBuild(bytesSource('none', undefined), 'simd')).toThrow(
      'the WebAssembly kernels are not built: memory://none/simd.wasm is missing; run `npm run build:wasm`',
    );
    expect(codeOf(() => loadWasmBuild(bytesSource('none', undefined), 'simd'))).toBe('WASM_NOT_BUILT');
  });

  it('reports bytes that do not compile (WASM_LOAD_FAILED)', () => {
    expect(codeOf(() => loadWasmBuild(bytesSource('garbage', new Uint8Array([1, 2, 3, 4])), 'simd'))).toBe('WASM_LOAD_FAILED');
  });

  it('compiles a build from any bytes provider once per location', () => {
    const real = wasmFolder(TENSOR_WASM);
    const source = bytesSource('tensor', real.read('simd.wasm'));
    const first = loadWasmBuild(source, 'simd');
    expect(loadWasmBuild(source, 'simd')).toBe(first);
    expect(source.reads).toBe(1);
    expect(loadWasmBuild(real, 'simd')).not.toBe(first); // another location, another module
  });

  it('instantiates a build on its own memory, or a -mt build on a shared memory', () => {
    const folder = wasmFolder(TENSOR_WASM);
    const single = instantiateWasm<{ heapBase(): number }>(loadWasmBuild(folder, 'simd'));
    expect(Object.prototype.toString.call(single.memory.buffer)).toBe('[object ArrayBuffer]');
    expect(single.exports.heapBase() % 64).toBe(0);
    const memory = createSharedMemory(2);
    const shared = instantiateWasm<{ heapBase(): number }>(loadWasmBuild(folder, 'simd', true), memory);
    expect(shared.memory).toBe(memory);
    expect(Object.prototype.toString.call(memory.buffer)).toBe('[object SharedArrayBuffer]');
    expect(shared.exports.heapBase()).toBeGreaterThan(0);
  });
});

describe('embedded builds', () => {
  it('decodes base64 like Buffer does, at every length and padding', () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    for (let n = 0; n <= 40; n++) {
      const slice = bytes.subarray(0, n);
      const text = Buffer.from(slice).toString('base64');
      expect(decodeBase64(text)).toEqual(slice);
      expect(decodeBase64(text.replace(/=+$/, ''))).toEqual(slice);
    }
    expect(() => decodeBase64('AB$D')).toThrow('invalid base64');
  });

  it('serves the generated module of a package, reading it once, on first use', () => {
    let loads = 0;
    const real = wasmFolder(TENSOR_WASM).read('simd.wasm')!;
    const source = embeddedBuilds('memory://embedded.js', () => {
      loads++;
      return { 'simd.wasm': Buffer.from(real).toString('base64') };
    });
    expect(loads).toBe(0);
    expect(source.locate('simd.wasm')).toBe('memory://embedded.js (simd.wasm)');
    expect(source.read('simd.wasm')).toEqual(new Uint8Array(real));
    expect(source.read('relaxed.wasm')).toBeUndefined();
    expect(loads).toBe(1);
    expect(instantiateWasm<{ heapBase(): number }>(loadWasmBuild(source, 'simd')).exports.heapBase() % 64).toBe(0);
  });

  it('says which module is missing (WASM_NOT_BUILT) and what to run when the kernels are not built', () => {
    const source = embeddedBuilds('packages/x/wasm/builds.js', () => undefined);
    expect(() => loadWasmBuild(source, 'simd')).toThrow(
      'the WebAssembly kernels are not built: packages/x/wasm/builds.js (simd.wasm) is missing; run `npm run build:wasm`',
    );
    expect(codeOf(() => loadWasmBuild(source, 'simd'))).toBe('WASM_NOT_BUILT');
  });
});
