import {
  WasmBuildSource, WasmMemory, WasmModule, WasmVariant, createSharedMemory, envVar, instantiateWasm, loadWasmBuild, packageBuildSource,
} from '@loopflow/tensor';

/**
 * Loading of the fused recurrent kernels (packages/cells/assembly, built by
 * tools/build-wasm.js into packages/cells/wasm/{simd,relaxed}{,-mt}.wasm, and embedded as
 * base64 in the generated packages/cells/wasm/builds.js) through @loopflow/tensor's
 * WebAssembly runtime (its feature detection, module loading and instantiation): the
 * relaxed-SIMD build where the engine runs it, else the plain SIMD build, else nothing (the
 * composed path). Loading is synchronous and cached per process; nothing is read at import.
 */

/** The exports of the fused kernels (see packages/cells/assembly/index.ts). */
export interface FusedExports {
  /** The exported memory of the single-threaded builds (the shared builds import theirs). */
  readonly memory?: WasmMemory;
  heapBase(): number;
  relaxedSimd(): number;
  threaded(): number;
  teamBytes(threads: number): number;
  runJob(params: number, team: number, tid: number, seq: number): void;
  serve(params: number, team: number, seen: number, spin: number): number;
  /** `input`: features of a dense input the call projects itself (0: the projected input is given). */
  scratchBytes(kernel: number, steps: number, batch: number, hidden: number, mode: number, threads: number, input: number): number;
}

/** Which build: plain SIMD, or SIMD with relaxed-SIMD FMA. */
export type FusedVariant = WasmVariant;

/** The environment variable that points cells at a folder of .wasm builds instead of its embedded ones. */
export const CELLS_WASM_DIR_ENV = 'LOOPFLOW_CELLS_WASM_DIR';

/** The generated module holding the fused kernels' builds, relative to the package (for messages). */
export const EMBEDDED_BUILDS = 'packages/cells/wasm/builds.js';

/**
 * Where the fused kernels' builds come from: the folder `LOOPFLOW_CELLS_WASM_DIR` names (read
 * with fs) if set, else the bytes embedded in the package (wasm/builds.js, inlined in the
 * bundles). The one place that decides it; read on first load, never at import.
 */
export function fusedBuildSource(): WasmBuildSource {
  // A literal relative require inside a function: bundlers inline the module; nothing is read at import.
  return packageBuildSource(CELLS_WASM_DIR_ENV, EMBEDDED_BUILDS, () => require('../../wasm/builds.js').builds);
}

/** A compiled build. */
export interface FusedModule {
  readonly variant: FusedVariant;
  readonly threaded: boolean;
  readonly module: WasmModule;
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
  const source = fusedBuildSource();
  const order: FusedVariant[] = envVar('LOOPFLOW_FUSED_VARIANT') === 'simd' ? ['simd'] : ['relaxed', 'simd'];
  for (const variant of order) {
    try {
      const found: FusedModule = { variant, threaded, module: loadWasmBuild(source, variant, threaded) };
      loaded.set(key, found);
      return found;
    } catch {
      // Not supported by the engine, not built, or invalid: try the next one.
    }
  }
  return null;
}

/** An instance of the fused kernels and the memory it runs on. */
export interface FusedInstance {
  readonly ex: FusedExports;
  readonly memory: WasmMemory;
  readonly build: FusedModule;
}

/** Initial pages (64 KiB) of a shared instance's memory. */
const SHARED_INITIAL_PAGES = 16;

/**
 * A new instance with its own memory (`threaded`: a shared memory that helper threads can
 * instantiate the same build on), or null when the kernels are unavailable.
 */
export function createFusedInstance(threaded = false): FusedInstance | null {
  const build = fusedModule(threaded);
  if (!build) return null;
  if (!threaded) {
    const { exports, memory } = instantiateWasm<FusedExports>(build.module);
    return { ex: exports, memory, build };
  }
  try {
    const { exports, memory } = instantiateWasm<FusedExports>(build.module, createSharedMemory(SHARED_INITIAL_PAGES));
    return { ex: exports, memory, build };
  } catch {
    return null;
  }
}
