import { BinaryKernelName, FloatArray, Kernels, MatmulOptions, UnaryKernelName } from './kernels';
import { referenceKernels } from './reference';
import { instantiateWasm, WasmVariant } from '../runtime/builds';
import { WasmHeap } from '../runtime/heap';
import { WasmMemory } from '../runtime/webassembly';
import {
  BINARY_OPS,
  KernelExports,
  MATMUL_ACCUMULATE,
  MATMUL_TRANS_A,
  MATMUL_TRANS_B,
  UNARY_OPS,
} from './wasm-abi';
import { loadWasmModule } from './wasm-loader';
import { ELEMENTWISE_MIN_LENGTH, MATMUL_MIN_WORK } from './wasm-thresholds';

/** Names of the WebAssembly backends. */
export type WasmBackendName = 'wasm-simd' | 'wasm-relaxed';

/**
 * A helper that computes the blocks of an already packed product on more than one thread
 * (see wasm-threads.ts). It shares the kernels' memory.
 */
export interface ParallelMatmul {
  /**
   * Whether to run the next product on several threads: false until the helper threads have
   * started (asynchronously) and while they are backing off because they were not getting
   * scheduled. Called once per eligible product.
   */
  accepts(): boolean;
  /** Computes all of C for a product prepared by `matmulPack`, blocking until it is done. */
  run(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, scratch: number): void;
}

/** Tuning of {@link WasmKernels}; the defaults are measured (see wasm-thresholds.ts). */
export interface WasmKernelsOptions {
  /**
   * Elementwise calls on fewer elements than this use the reference kernel, because copying
   * into and out of WebAssembly memory costs more than it saves. A number applies to every
   * kernel; a record overrides the defaults per kernel. 0 always uses WebAssembly (tests).
   */
  elementwiseMinLength?: number | Partial<Record<UnaryKernelName | BinaryKernelName, number>>;
  /** Products with fewer multiply-adds (m * k * n) than this use the reference kernel. */
  matmulMinWork?: number;
  /** Multi-threaded computation of large products. */
  parallel?: ParallelMatmul;
  /** Products with at least this many multiply-adds (and n >= 16) use `parallel` when it accepts them. */
  parallelMinWork?: number;
}

/** Elements per copy-in / compute / copy-out round of the elementwise kernels (64 KiB, stays in L2). */
const ELEMENTWISE_CHUNK = 16384;

/**
 * The WebAssembly SIMD kernels for Float32Array. Operands are copied into linear memory, the
 * kernel runs, and the result is copied back, so callers pass ordinary typed arrays. Anything
 * else (Float64Array, unknown op names, sizes below the thresholds) goes to the reference
 * kernels, so this object implements the whole {@link Kernels} interface.
 */
export class WasmKernels implements Kernels {
  private readonly heap: WasmHeap;
  private readonly minLength: Record<UnaryKernelName | BinaryKernelName, number>;
  private readonly matmulMinWork: number;
  private readonly parallel: ParallelMatmul | undefined;
  private readonly parallelMinWork: number;

  /**
   * @param name backend name reported by `name`.
   * @param exports the instance's exports.
   * @param memory the instance's memory (its exported memory, or the shared memory it imports).
   */
  constructor(
    readonly name: string,
    private readonly exports: KernelExports,
    memory: WasmMemory,
    options: WasmKernelsOptions = {},
  ) {
    this.heap = new WasmHeap(memory, exports.heapBase());
    const min = options.elementwiseMinLength;
    this.minLength = typeof min === 'number'
      ? (Object.fromEntries(Object.keys(ELEMENTWISE_MIN_LENGTH).map((key) => [key, min])) as typeof this.minLength)
      : { ...ELEMENTWISE_MIN_LENGTH, ...min };
    this.matmulMinWork = options.matmulMinWork ?? MATMUL_MIN_WORK;
    this.parallel = options.parallel;
    this.parallelMinWork = options.parallelMinWork ?? Infinity;
  }

  matmul(a: FloatArray, b: FloatArray, out: FloatArray, m: number, k: number, n: number, options: MatmulOptions = {}): void {
    if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)) {
      referenceKernels.matmul(a, b, out, m, k, n, options);
      return;
    }
    const { transA = false, transB = false, accumulate = false } = options;
    const aLen = m * k;
    const bLen = k * n;
    const cLen = m * n;
    if (cLen === 0) return;
    if (k === 0) {
      if (!accumulate) out.fill(0, 0, cLen);
      return;
    }
    const work = aLen * n;
    if (work < this.matmulMinWork) {
      referenceKernels.matmul(a, b, out, m, k, n, options);
      return;
    }
    const flags = (transA ? MATMUL_TRANS_A : 0) | (transB ? MATMUL_TRANS_B : 0) | (accumulate ? MATMUL_ACCUMULATE : 0);
    const ex = this.exports;
    const parallel = this.parallel;
    // Threads share out blocks of the packed product; narrow products (n < 16) are computed
    // transposed by the single-threaded `matmul` instead.
    const threaded = parallel !== undefined && work >= this.parallelMinWork && n >= 16 && parallel.accepts();
    const scratchBytes = ex.matmulScratchBytes(m, k, n, flags, threaded ? 1 : 0) >>> 0;
    // Every region is followed by at least 64 readable bytes (the kernels may read whole
    // vectors past the end of a row of an operand they read in place): the heap sees to it.
    const [pa, pb, pc, ps] = this.heap.scratch([aLen * 4, bLen * 4, cLen * 4, scratchBytes]);
    const f32 = this.heap.f32;
    f32.set(a.length === aLen ? a : a.subarray(0, aLen), pa >> 2);
    f32.set(b.length === bLen ? b : b.subarray(0, bLen), pb >> 2);
    if (accumulate) f32.set(out.length === cLen ? out : out.subarray(0, cLen), pc >> 2);
    if (threaded) {
      ex.matmulPack(pa, pb, m, k, n, flags, ps);
      parallel.run(pa, pb, pc, m, k, n, flags, ps);
    } else {
      ex.matmul(pa, pb, pc, m, k, n, flags, ps);
    }
    out.set(f32.subarray(pc >> 2, (pc >> 2) + cLen));
  }

  unary(name: UnaryKernelName, a: FloatArray, out: FloatArray): void {
    const op = opCode(UNARY_OPS, name);
    const len = a.length;
    if (op === undefined || !(a instanceof Float32Array) || !(out instanceof Float32Array) || len < this.minLength[name]) {
      referenceKernels.unary(name, a, out);
      return;
    }
    if (len === 0) return;
    const chunk = Math.min(len, ELEMENTWISE_CHUNK);
    const [p] = this.heap.scratch([roundUp4(chunk) * 4]);
    const f32 = this.heap.f32;
    const o = p >> 2;
    const ex = this.exports;
    if (len <= chunk) {
      f32.set(a, o);
      ex.unary(op, p, len);
      out.set(f32.subarray(o, o + len));
      return;
    }
    for (let s = 0; s < len; s += chunk) {
      const e = Math.min(len, s + chunk);
      f32.set(a.subarray(s, e), o);
      ex.unary(op, p, e - s);
      out.set(f32.subarray(o, o + e - s), s);
    }
  }

  binary(name: BinaryKernelName, a: FloatArray, b: FloatArray, out: FloatArray): void {
    const op = opCode(BINARY_OPS, name);
    const len = a.length;
    if (
      op === undefined ||
      !(a instanceof Float32Array) || !(b instanceof Float32Array) || !(out instanceof Float32Array) ||
      len < this.minLength[name]
    ) {
      referenceKernels.binary(name, a, b, out);
      return;
    }
    if (len === 0) return;
    const chunk = Math.min(len, ELEMENTWISE_CHUNK);
    const [pa, pb] = this.heap.scratch([roundUp4(chunk) * 4, roundUp4(chunk) * 4]);
    const f32 = this.heap.f32;
    const oa = pa >> 2;
    const ob = pb >> 2;
    const ex = this.exports;
    if (len <= chunk) {
      f32.set(a, oa);
      f32.set(b.length === len ? b : b.subarray(0, len), ob);
      ex.binary(op, pa, pb, len);
      out.set(f32.subarray(oa, oa + len));
      return;
    }
    for (let s = 0; s < len; s += chunk) {
      const e = Math.min(len, s + chunk);
      f32.set(a.subarray(s, e), oa);
      f32.set(b.subarray(s, e), ob);
      ex.binary(op, pa, pb, e - s);
      out.set(f32.subarray(oa, oa + e - s), s);
    }
  }
}

/** The op code of `name`, or undefined for a name the wasm does not know (even 'toString'). */
function opCode(table: Readonly<Record<string, number>>, name: string): number | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

function roundUp4(n: number): number {
  return (n + 3) & ~3;
}

/** Backend name of a variant. */
export function wasmBackendName(variant: WasmVariant): WasmBackendName {
  return variant === 'simd' ? 'wasm-simd' : 'wasm-relaxed';
}

/**
 * Loads a single-threaded build (its own exported memory) and wraps it as kernels.
 * Synchronous. Each call makes a new instance with its own memory.
 * @throws BackendError if the build is missing or the engine cannot run it.
 */
export function createWasmKernels(variant: WasmVariant, options: WasmKernelsOptions = {}): WasmKernels {
  const { exports, memory } = instantiateWasm<KernelExports>(loadWasmModule(variant));
  return new WasmKernels(wasmBackendName(variant), exports, memory, options);
}
