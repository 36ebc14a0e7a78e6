import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';

/**
 * Loading of the fused recurrent kernels (packages/cells/assembly, built by
 * tools/build-wasm.js into packages/cells/wasm/{simd,relaxed}{,-mt}.wasm), with the same
 * feature detection as @loopflow/tensor's wasm backend (which does not export its helpers):
 * validate a tiny relaxed-SIMD module; on Node 20 turn on `--experimental-wasm-relaxed-simd`
 * at run time unless `LOOPFLOW_NO_V8_FLAGS=1`; fall back to the plain SIMD build, then to
 * nothing (the composed path). Loading is synchronous and cached per process.
 */

/** A WebAssembly linear memory. */
export interface FusedMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The exports of the fused kernels (see packages/cells/assembly/index.ts). */
export interface FusedExports {
  /** The exported memory of the single-threaded builds (the shared builds import theirs). */
  readonly memory?: FusedMemory;
  heapBase(): number;
  relaxedSimd(): number;
  threaded(): number;
  teamBytes(threads: number): number;
  runJob(params: number, team: number, tid: number, seq: number): void;
  serve(params: number, team: number, seen: number, spin: number): number;
  scratchBytes(kernel: number, steps: number, batch: number, hidden: number, mode: number, threads: number): number;
}

/** Which build: plain SIMD, or SIMD with relaxed-SIMD FMA. */
export type FusedVariant = 'simd' | 'relaxed';

interface WasmModuleObject {
  readonly __module?: never;
}
interface WebAssemblyGlobal {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModuleObject;
  Instance: new (module: WasmModuleObject, imports?: Record<string, unknown>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => FusedMemory;
}
const webAssembly = (globalThis as { WebAssembly?: WebAssemblyGlobal }).WebAssembly;

/** A module of one function `() -> v128` with the given body. */
function probe(body: number[]): Uint8Array {
  const fn = [0x00, ...body, 0x0b];
  const code = [0x01, fn.length, ...fn];
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, code.length, ...code]);
}
const ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
/** `f32x4.add(0, 0)`. */
const SIMD_PROBE = probe([...ZERO, ...ZERO, 0xfd, 0xe4, 0x01]);
/** `f32x4.relaxed_madd(0, 0, 0)`. */
const RELAXED_PROBE = probe([...ZERO, ...ZERO, ...ZERO, 0xfd, 0x85, 0x02]);

function validates(bytes: Uint8Array): boolean {
  try {
    return webAssembly !== undefined && webAssembly.validate(bytes);
  } catch {
    return false;
  }
}

function relaxedSupported(): boolean {
  if (validates(RELAXED_PROBE)) return true;
  if (process.env['LOOPFLOW_NO_V8_FLAGS'] === '1') return false;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return validates(RELAXED_PROBE);
}

/**
 * The folder of the .wasm builds: `LOOPFLOW_CELLS_WASM_DIR` if set, else packages/cells/wasm
 * (two levels above this file, in src/fused or dist/fused alike).
 */
export function fusedWasmDir(): string {
  const fromEnv = process.env['LOOPFLOW_CELLS_WASM_DIR'];
  return fromEnv ? path.resolve(fromEnv) : path.resolve(__dirname, '..', '..', 'wasm');
}

/** A compiled build. */
export interface FusedModule {
  readonly variant: FusedVariant;
  readonly threaded: boolean;
  readonly module: WasmModuleObject;
}
const loaded = new Map<string, FusedModule | null>();

/**
 * The compiled module of the best build this engine runs (relaxed, else simd; `threaded`: the
 * shared-memory build), or null when none is usable (no SIMD, files not built, compile
 * error). `LOOPFLOW_FUSED_VARIANT=simd` forces the plain SIMD build (for measurements).
 */
export function fusedModule(threaded = false): FusedModule | null {
  const key = String(threaded);
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  loaded.set(key, null);
  if (!validates(SIMD_PROBE)) return null;
  if (threaded && typeof SharedArrayBuffer !== 'function') return null;
  const forced = process.env['LOOPFLOW_FUSED_VARIANT'];
  const order: FusedVariant[] = forced === 'simd' ? ['simd'] : ['relaxed', 'simd'];
  for (const variant of order) {
    if (variant === 'relaxed' && !relaxedSupported()) continue;
    const file = path.join(fusedWasmDir(), `${variant}${threaded ? '-mt' : ''}.wasm`);
    try {
      if (!fs.existsSync(file)) continue;
      const found: FusedModule = { variant, threaded, module: new webAssembly!.Module(fs.readFileSync(file)) };
      loaded.set(key, found);
      return found;
    } catch {
      // An unreadable or invalid build: try the next one.
    }
  }
  return null;
}

/** An instance of the fused kernels and the memory it runs on. */
export interface FusedInstance {
  readonly ex: FusedExports;
  readonly memory: FusedMemory;
  readonly build: FusedModule;
}

/** Largest memory of a shared instance, in 64 KiB pages (the builds' maximum). */
const SHARED_MAX_PAGES = 65536;

/**
 * A new instance with its own memory (`threaded`: a shared memory that helper threads can
 * instantiate the same build on), or null when the kernels are unavailable.
 */
export function createFusedInstance(threaded = false): FusedInstance | null {
  const build = fusedModule(threaded);
  if (!build) return null;
  if (!threaded) {
    const ex = new webAssembly!.Instance(build.module, {}).exports as unknown as FusedExports;
    return { ex, memory: ex.memory as FusedMemory, build };
  }
  try {
    const memory = new webAssembly!.Memory({ initial: 16, maximum: SHARED_MAX_PAGES, shared: true });
    const ex = new webAssembly!.Instance(build.module, { env: { memory } }).exports as unknown as FusedExports;
    return { ex, memory, build };
  } catch {
    return null;
  }
}
