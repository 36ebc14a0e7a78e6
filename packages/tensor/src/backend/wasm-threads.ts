import { Worker } from 'worker_threads';
import { BackendError } from './backend-error';
import { KernelExports } from './wasm-abi';
import { WasmMemory, WasmModule, webAssembly } from './wasm-api';
import { ParallelMatmul, WasmKernels, WasmKernelsOptions, wasmBackendName } from './wasm';
import { loadWasmModule, WasmVariant } from './wasm-loader';

/**
 * Multi-threaded matmul: helper worker threads instantiate the shared-memory build
 * (`*-mt.wasm`) on the same `WebAssembly.Memory` as the main thread. The main thread copies the
 * operands in and packs them (`matmulPack`); then C is cut into about four blocks per thread
 * (row blocks, or 16-column strip blocks when m is small) and every thread, the main one
 * included, claims blocks one at a time with a compare-exchange on a shared counter and
 * computes them (`matmulBlock`). Kernel calls stay synchronous: the main thread finally waits
 * (spins, then `Atomics.wait`) until every claimed block is done.
 *
 * Claiming (instead of a fixed half each) makes a busy machine safe: if a helper is not
 * scheduled, the main thread computes its blocks and waits at most for the one block a helper
 * claimed. On this 2-core machine a fixed split made 32^3..256^3 products 3-100x slower
 * whenever another process was running. Even so, waiting for a descheduled helper's block can
 * cost a scheduler time slice, so a pool whose helpers keep arriving late backs off to one
 * thread for a while (see SLOW_LIMIT).
 *
 * Helpers are plain JavaScript evaluated in the worker (`eval: true`), so they need no
 * TypeScript loader and no file path; they are `unref()`ed, so they never keep the process
 * alive, and `close()` stops them.
 */

/** Control words (Int32Array over a SharedArrayBuffer). */
const SEQ = 0; // 2j - 1 while job j's (j >= 1) parameters are written, 2j when it is ready, -1 = quit
const NEXT = 1; // next block number to claim (grows across jobs)
const DONE = 2; // blocks finished (grows across jobs)
const READY = 3; // helpers started
const HELPED = 4; // blocks computed by helpers (statistics)
const PARAMS = 5; // a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow
const CONTROL_WORDS = PARAMS + 13;

/** Initial and maximum memory of the shared build, in 64 KiB pages (maximum <= the build's). */
const INITIAL_PAGES = 32;
const MAXIMUM_PAGES = 65536;

/** How long a thread spins on a flag before sleeping in Atomics.wait (loads of the flag). */
const SPIN = 20000;
/** Blocks per thread: enough to even out imbalance, few enough to keep blocks cache-friendly. */
const BLOCKS_PER_THREAD = 4;
/**
 * Back-off: after SLOW_LIMIT products in a row where the main thread waited for a helper
 * longer than it computed itself (the helper was not scheduled: another process holds the
 * core), the next BACKOFF eligible products run on the main thread alone.
 */
const SLOW_LIMIT = 2;
const BACKOFF = 64;

/**
 * Claims and computes blocks of the current job until none is left. The helpers run the same
 * loop, written out in HELPER_SOURCE (as text, not `workOnJob.toString()`, which coverage
 * instrumentation would break); keep the two in step.
 */
function workOnJob(ctl: Int32Array, ex: Pick<KernelExports, 'matmulBlock'>, p: readonly number[]): void {
  const [a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow] = p;
  for (;;) {
    const q = Atomics.load(ctl, NEXT);
    if (q < first || q >= end) return;
    if (Atomics.compareExchange(ctl, NEXT, q, q + 1) !== q) continue;
    const block = q - first;
    const i0 = Math.floor(block / perRow) * rowsPer;
    const j0 = (block % perRow) * colsPer;
    ex.matmulBlock(a, b, c, m, k, n, flags, scratch, i0, Math.min(m, i0 + rowsPer), j0, Math.min(n, j0 + colsPer));
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

/** The helper's source: evaluated by `new Worker(..., { eval: true })`. */
const HELPER_SOURCE = `
'use strict';
const { workerData } = require('worker_threads');
const { module, memory, control, spin } = workerData;
const ctl = new Int32Array(control);
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const SEQ = ${SEQ}, NEXT = ${NEXT}, DONE = ${DONE}, READY = ${READY}, PARAMS = ${PARAMS}, HELPED = ${HELPED};
Atomics.add(ctl, READY, 1);
Atomics.notify(ctl, READY);
let seen = 0;
for (;;) {
  let seq = Atomics.load(ctl, SEQ);
  for (let i = 0; (seq === seen || seq % 2 === 1) && i < spin; i++) seq = Atomics.load(ctl, SEQ);
  if (seq === seen) { Atomics.wait(ctl, SEQ, seen); continue; }
  if (seq < 0) break;
  if (seq % 2 === 1) continue; // parameters being written
  const [a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow] = ctl.subarray(PARAMS, PARAMS + 13);
  if (Atomics.load(ctl, SEQ) !== seq) continue; // changed while reading: read again
  seen = seq;
  for (;;) {
    const q = Atomics.load(ctl, NEXT);
    if (q < first || q >= end) break;
    if (Atomics.compareExchange(ctl, NEXT, q, q + 1) !== q) continue;
    const block = q - first;
    const i0 = Math.floor(block / perRow) * rowsPer;
    const j0 = (block % perRow) * colsPer;
    ex.matmulBlock(a, b, c, m, k, n, flags, scratch, i0, Math.min(m, i0 + rowsPer), j0, Math.min(n, j0 + colsPer));
    Atomics.add(ctl, HELPED, 1);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}
`;

/**
 * A pool of helper threads that compute blocks of a packed product together with the calling
 * thread, so `helpers = 1` means two threads in total.
 */
export class MatmulThreadPool implements ParallelMatmul {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly workers: Worker[] = [];
  private job = 0;
  private closed = false;
  private slowRuns = 0;
  private skip = 0;
  private backoffs = 0;

  /**
   * @param module the shared-memory build.
   * @param memory the shared memory the main instance uses.
   * @param exports the main thread's instance.
   * @param helpers number of helper threads (>= 1).
   * @param backoff whether to fall back to one thread for a while when helpers keep arriving late.
   */
  constructor(
    module: WasmModule,
    memory: WasmMemory,
    private readonly exports: KernelExports,
    readonly helpers = 1,
    private readonly backoff = true,
  ) {
    for (let i = 0; i < helpers; i++) {
      const worker = new Worker(HELPER_SOURCE, {
        eval: true,
        // Not the parent's flags: under ts-node they would load the TypeScript compiler into
        // every helper (~300 ms start-up). V8 flags such as relaxed SIMD are process-wide anyway.
        execArgv: [],
        workerData: { module, memory, control: this.control.buffer, spin: SPIN },
      });
      worker.unref();
      worker.on('error', (err) => {
        process.stderr.write(`loopflow: matmul helper thread failed: ${String(err)}\n`);
      });
      this.workers.push(worker);
    }
  }

  /** Whether every helper has started (start-up is asynchronous and takes ~50-100 ms). */
  get ready(): boolean {
    return !this.closed && Atomics.load(this.control, READY) === this.helpers;
  }

  accepts(): boolean {
    if (!this.ready) return false;
    if (this.skip > 0) {
      this.skip--;
      return false;
    }
    return true;
  }

  /** How many times the pool backed off to one thread because helpers were not scheduled. */
  get backoffCount(): number {
    return this.backoffs;
  }

  /** Blocks until every helper has started or `timeoutMs` passed; returns `ready`. */
  waitUntilReady(timeoutMs = 5000): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const count = Atomics.load(this.control, READY);
      if (count === this.helpers) return !this.closed;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return false;
      Atomics.wait(this.control, READY, count, Math.min(left, 50));
    }
  }

  run(a: number, b: number, c: number, m: number, k: number, n: number, flags: number, scratch: number): void {
    const ctl = this.control;
    const blocks = BLOCKS_PER_THREAD * (this.helpers + 1);
    let rowsPer = m;
    let colsPer = n;
    if (m >= 64) rowsPer = Math.ceil(m / blocks / 2) * 2; // row blocks of even height
    else colsPer = Math.ceil(Math.ceil(n / 16) / blocks) * 16; // few rows: strip blocks
    const perRow = Math.ceil(n / colsPer);
    const count = Math.ceil(m / rowsPer) * perRow;
    // Every block of the previous job is done, so NEXT == DONE here. Restart the counters
    // long before they could overflow; a helper still looking at an old job sees NEXT below
    // that job's first block and stops.
    if (Atomics.load(ctl, DONE) > 1 << 30) {
      Atomics.store(ctl, DONE, 0);
      Atomics.store(ctl, NEXT, 0);
    }
    const first = Atomics.load(ctl, DONE);
    const end = first + count;
    const params = [a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow];
    const job = (this.job = (this.job % (1 << 29)) + 1); // 2 * job stays a positive int32
    Atomics.store(ctl, SEQ, 2 * job - 1); // writing
    Atomics.store(ctl, NEXT, first);
    for (let i = 0; i < params.length; i++) ctl[PARAMS + i] = params[i] | 0;
    Atomics.store(ctl, SEQ, 2 * job); // ready
    Atomics.notify(ctl, SEQ);
    const started = performance.now();
    workOnJob(ctl, this.exports, params);
    const computed = performance.now();
    let done = Atomics.load(ctl, DONE);
    for (let i = 0; done !== end && i < SPIN; i++) done = Atomics.load(ctl, DONE);
    while (done !== end) {
      if (Atomics.wait(ctl, DONE, done, 10000) === 'timed-out' && Atomics.load(ctl, DONE) === done) {
        throw new BackendError('BACKEND_UNAVAILABLE', 'a matmul helper thread did not finish its block within 10 s');
      }
      done = Atomics.load(ctl, DONE);
    }
    const waited = performance.now() - computed;
    this.slowRuns = waited > computed - started ? this.slowRuns + 1 : 0;
    if (this.slowRuns >= SLOW_LIMIT && this.backoff) {
      this.slowRuns = 0;
      this.skip = BACKOFF;
      this.backoffs++;
    }
  }

  /** How many blocks the helper threads have computed so far (to check they take part). */
  get helperBlocks(): number {
    return Atomics.load(this.control, HELPED);
  }

  /** Stops the helpers; `ready` turns false, so kernels stop handing work to this pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, SEQ, -1);
    Atomics.notify(this.control, SEQ);
    for (const worker of this.workers) void worker.terminate();
  }
}

/** Kernels backed by the shared-memory build plus the pool that parallelises their matmul. */
export interface ThreadedWasmKernels {
  readonly kernels: WasmKernels;
  readonly pool: MatmulThreadPool;
}

/**
 * Instantiates the shared-memory build of `variant` on a new shared memory and starts
 * `helpers` helper threads (default 1). The kernels are named `options.name`, by default
 * e.g. 'wasm-relaxed-2t'; `options.backoff` (default true) lets the pool fall back to one
 * thread for a while when its helpers keep arriving late. Products with at least `options.parallelMinWork`
 * multiply-adds (default 0) use the threads once they are ready; call
 * `pool.waitUntilReady()` to block until then.
 * @throws BackendError if the build is missing or the engine lacks shared memory.
 */
export function createThreadedWasmKernels(
  variant: WasmVariant,
  options: WasmKernelsOptions & { helpers?: number; name?: string; backoff?: boolean } = {},
): ThreadedWasmKernels {
  if (typeof SharedArrayBuffer !== 'function') {
    throw new BackendError('BACKEND_UNAVAILABLE', 'multi-threaded wasm kernels need SharedArrayBuffer');
  }
  const module = loadWasmModule(variant, true);
  const memory = new webAssembly!.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = new webAssembly!.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  const helpers = options.helpers ?? 1;
  const pool = new MatmulThreadPool(module, memory, exports, helpers, options.backoff ?? true);
  const kernels = new WasmKernels(options.name ?? `${wasmBackendName(variant)}-${helpers + 1}t`, exports, memory, {
    ...options,
    parallel: pool,
    parallelMinWork: options.parallelMinWork ?? 0,
  });
  return { kernels, pool };
}
