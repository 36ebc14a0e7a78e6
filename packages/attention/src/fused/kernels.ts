import {
  KERNEL_TEAM, KERNEL_TEAM_WORDS, LoopflowError, ThreadTeam, WasmBuildSource, WasmHeap, WasmMemory, WasmModule, WasmVariant,
  configuredThreads, createSharedMemory, envVar, instantiateWasm, loadWasmBuild, packageBuildSource,
} from '@loopflow/tensor';

/**
 * Loading and running the fused attention kernels (packages/attention/assembly, built by
 * tools/build-wasm.js into packages/attention/wasm/*.wasm and embedded as base64 in the
 * generated packages/attention/wasm/builds.js) on @loopflow/tensor's WebAssembly runtime:
 * module loading, one instance with its `WasmHeap`, and a `ThreadTeam` helper thread (the
 * shared-memory build, when more than one thread is allowed) that claims (batch, head) items
 * alongside the caller. Nothing is loaded at import: the first fused call does it.
 */

/** The exports of the attention kernels (packages/attention/assembly/index.ts). */
export interface AttentionExports {
  readonly memory?: WasmMemory;
  heapBase(): number;
  relaxedSimd(): number;
  threaded(): number;
  teamBytes(threads: number): number;
  scratchBytes(tq: number, tk: number, dk: number, dv: number, backward: number): number;
  runJob(params: number, team: number, tid: number, seq: number): void;
  serve(params: number, team: number, seen: number, spin: number): number;
}

/** The environment variable that points attention at a folder of .wasm builds instead of its embedded ones. */
export const ATTENTION_WASM_DIR_ENV = 'LOOPFLOW_ATTENTION_WASM_DIR';
/** The generated module holding the builds, relative to the repository (for messages). */
export const EMBEDDED_BUILDS = 'packages/attention/wasm/builds.js';

/** Parameter words of a job (mirrored from assembly/index.ts). */
export const P = {
  KERNEL: 0, ITEMS: 1, HEADS: 2, TQ: 3, TK: 4, DK: 5, DV: 6, CAUSAL: 7, Q: 8, K: 9, V: 10, O: 11, LSE: 12, DOUT: 13,
  DQ: 14, DK_: 15, DV_: 16, KEY_MASK: 17, MASK: 18, MASK_B: 19, MASK_H: 20, SCALE: 21, SCRATCH: 22, SCRATCH_BYTES: 23,
  THREADS: 24, BASE_LO: 25, BASE_HI: 26, SEQ: 27, STRIDES: 28, QUERY_OFFSET: 40,
} as const;
const PARAM_WORDS = 48;
/** Kernel codes. */
export const K_FORWARD = 1;
export const K_BACKWARD = 2;

/** Loads of SEQ a helper spins through (inside WebAssembly) before sleeping in Atomics.wait. */
const SPIN = 50000;
/** Jobs with fewer multiply-adds than this stay on the calling thread. */
const PARALLEL_MIN_WORK = 1 << 20;
/** Initial pages (64 KiB) of the shared memory. */
const SHARED_INITIAL_PAGES = 32;

function buildSource(): WasmBuildSource {
  // A literal relative require inside a function: bundlers inline the module; nothing is read at import.
  return packageBuildSource(ATTENTION_WASM_DIR_ENV, EMBEDDED_BUILDS, () => require('../../wasm/builds.js').builds);
}

function threadsAllowed(): number {
  try {
    return Math.min(configuredThreads(), 2);
  } catch {
    return 1;
  }
}

/** One instance of the kernels: its memory regions and the helper thread. */
export class AttentionKernels {
  readonly heap: WasmHeap;
  private readonly team: number;
  private readonly params: number;
  private helper: ThreadTeam | null = null;
  private helperFailed = false;
  private readonly words = new Int32Array(PARAM_WORDS);

  constructor(
    readonly ex: AttentionExports,
    readonly memory: WasmMemory,
    readonly variant: WasmVariant,
    private readonly module: WasmModule,
    /** Threads a job may use (1 = the caller alone). */
    readonly threads: number,
  ) {
    this.heap = new WasmHeap(memory, ex.heapBase(), (have, end, cause) =>
      new LoopflowError(
        'FUSED_ATTENTION_MEMORY',
        `fused attention: WebAssembly memory cannot grow from ${have} to ${end} bytes (${cause.message}); use smaller batches or setAttentionPath('composed')`,
      ),
    );
    const teamBytes = ex.teamBytes(2) >>> 0;
    this.team = this.heap.alloc(teamBytes);
    this.params = this.heap.alloc(PARAM_WORDS * 4);
    this.heap.i32.fill(0, this.team >> 2, (this.team + teamBytes) >> 2);
  }

  /** Threads for a job of `items` items and `work` multiply-adds. */
  threadsFor(items: number, work: number): number {
    if (this.threads < 2 || items < 2 || work < PARALLEL_MIN_WORK) return 1;
    return this.ensureHelper() ? this.threads : 1;
  }

  private ensureHelper(): boolean {
    if (this.helper) return this.helper.ready;
    if (this.helperFailed) return false;
    try {
      this.helper = new ThreadTeam({
        module: this.module,
        memory: this.memory,
        helpers: 1,
        control: this.heap.i32.subarray(this.team >> 2, (this.team >> 2) + 16),
        words: KERNEL_TEAM_WORDS,
        serve: '(ex, ctl, seen, spin, data) => ex.serve(data.params, data.team, seen, spin)',
        spin: SPIN,
        data: { params: this.params, team: this.team },
        name: 'fused-attention helper thread',
      });
    } catch {
      this.helperFailed = true;
    }
    return false;
  }

  /** Blocks until the helper runs (for tests and measurements); whether it does. */
  waitForHelper(timeoutMs = 5000): boolean {
    if (this.threads < 2) return false;
    this.ensureHelper();
    return this.helper !== null && this.helper.waitUntilReady(timeoutMs);
  }

  /**
   * Runs a job to completion: `fill` writes its parameter words (kernel, sizes, pointers,
   * strides) into `words`; `items` (batch x heads) are shared with the helper when `threads` > 1.
   */
  run(fill: (words: Int32Array) => void, items: number, threads: number): void {
    const words = this.words;
    words.fill(0);
    fill(words);
    const i32 = this.heap.i32;
    // Every item of the previous job is done, so NEXT == DONE: the new job starts there.
    words[P.BASE_LO] = i32[(this.team + KERNEL_TEAM.done) >> 2];
    words[P.BASE_HI] = i32[((this.team + KERNEL_TEAM.done) >> 2) + 1];
    words[P.ITEMS] = items;
    words[P.THREADS] = threads;
    const helper = this.helper;
    if (helper === null) {
      words[P.SEQ] = 0;
      i32.set(words, this.params >> 2);
      this.ex.runJob(this.params, this.team, 0, 0);
      return;
    }
    const seq = helper.beginJob();
    words[P.SEQ] = seq;
    i32.set(words, this.params >> 2);
    helper.publishJob(seq, threads > 1);
    this.ex.runJob(this.params, this.team, 0, seq);
  }

  /** Stops the helper thread. */
  close(): void {
    this.helper?.close();
    this.helper = null;
    this.helperFailed = true;
  }
}

let kernels: AttentionKernels | null | undefined;

/**
 * The process's attention kernels (created on first use), or null when they cannot run here
 * (no WebAssembly SIMD, builds missing or invalid). `LOOPFLOW_FUSED_VARIANT=simd` forces the
 * plain SIMD build.
 */
export function attentionKernels(): AttentionKernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const source = buildSource();
  const order: WasmVariant[] = envVar('LOOPFLOW_FUSED_VARIANT') === 'simd' ? ['simd'] : ['relaxed', 'simd'];
  const threads = threadsAllowed();
  for (const variant of order) {
    try {
      if (threads > 1 && typeof SharedArrayBuffer === 'function') {
        try {
          const module = loadWasmBuild(source, variant, true);
          const { exports, memory } = instantiateWasm<AttentionExports>(module, createSharedMemory(SHARED_INITIAL_PAGES));
          return (kernels = new AttentionKernels(exports, memory, variant, module, threads));
        } catch {
          // No shared-memory build or no shared memory: one thread.
        }
      }
      const module = loadWasmBuild(source, variant, false);
      const { exports, memory } = instantiateWasm<AttentionExports>(module);
      return (kernels = new AttentionKernels(exports, memory, variant, module, 1));
    } catch {
      // Not supported by the engine, not built, or invalid: try the next one.
    }
  }
  return null;
}
