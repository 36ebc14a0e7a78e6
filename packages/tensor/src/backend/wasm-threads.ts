import { BackendError } from './backend-error';
import { KernelExports } from './wasm-abi';
import { WasmMemory, WasmModule } from '../runtime/webassembly';
import { createSharedMemory, instantiateWasm, WasmVariant } from '../runtime/builds';
import { ThreadTeam } from '../runtime/team';
import { ParallelMatmul, WasmKernels, WasmKernelsOptions, wasmBackendName } from './wasm';
import { loadWasmModule } from './wasm-loader';

/**
 * Multi-threaded matmul: the runtime's thread team (runtime/team.ts) runs helper threads on
 * the shared-memory build (`*-mt.wasm`) and the same `WebAssembly.Memory` as the main thread.
 * The main thread copies the operands in and packs them (`matmulPack`); then C is cut into
 * about four blocks per thread (row blocks, or 16-column strip blocks when m is small) and
 * every thread, the main one included, claims blocks one at a time with a compare-exchange on
 * a shared counter and computes them (`matmulBlock`). Kernel calls stay synchronous: the main
 * thread finally waits (spins, then `Atomics.wait`) until every claimed block is done.
 *
 * Claiming (instead of a fixed half each) makes a busy machine safe: if a helper is not
 * scheduled, the main thread computes its blocks and waits at most for the one block a helper
 * claimed. On this 2-core machine a fixed split made 32^3..256^3 products 3-100x slower
 * whenever another process was running. Even so, waiting for a descheduled helper's block can
 * cost a scheduler time slice, so a pool whose helpers keep arriving late backs off to one
 * thread for a while (see SLOW_LIMIT).
 *
 * A job here is a product: its parameters are control words in a SharedArrayBuffer of the
 * pool's own (not in WebAssembly memory), and a helper's serving loop (MATMUL_SERVE) is
 * JavaScript that claims blocks and calls `matmulBlock`.
 */

/** Control words (Int32Array over a SharedArrayBuffer). */
const SEQ = 0; // the team's job number (2j - 1 while job j's parameters are written, 2j when ready, -1 = quit)
const NEXT = 1; // next block number to claim (grows across jobs)
const DONE = 2; // blocks finished (grows across jobs)
const READY = 3; // helpers started
const HELPED = 4; // blocks computed by helpers (statistics)
const SLEEP = 5; // helpers asleep in Atomics.wait
const PARAMS = 6; // a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow
const CONTROL_WORDS = PARAMS + 13;

/** Initial memory of the shared build, in 64 KiB pages. */
const INITIAL_PAGES = 32;

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
 * Claims and computes blocks of the current product until none is left (`helper`: counting
 * them as a helper's). Source text, so that the main thread (compiled once below) and the
 * helpers (in MATMUL_SERVE) run one and the same loop.
 */
const CLAIM_BLOCKS = `(ctl, ex, p, helper) => {
  const [a, b, c, m, k, n, flags, scratch, first, end, rowsPer, colsPer, perRow] = p;
  for (;;) {
    const q = Atomics.load(ctl, ${NEXT});
    if (q < first || q >= end) return;
    if (Atomics.compareExchange(ctl, ${NEXT}, q, q + 1) !== q) continue;
    const block = q - first;
    const i0 = Math.floor(block / perRow) * rowsPer;
    const j0 = (block % perRow) * colsPer;
    ex.matmulBlock(a, b, c, m, k, n, flags, scratch, i0, Math.min(m, i0 + rowsPer), j0, Math.min(n, j0 + colsPer));
    if (helper) Atomics.add(ctl, ${HELPED}, 1);
    Atomics.add(ctl, ${DONE}, 1);
    Atomics.notify(ctl, ${DONE});
  }
}`;

/** The main thread's CLAIM_BLOCKS. */
const workOnJob = new Function(`return ${CLAIM_BLOCKS};`)() as (
  ctl: Int32Array, ex: Pick<KernelExports, 'matmulBlock'>, p: readonly number[], helper: boolean,
) => void;

/**
 * A helper's serving loop (see `ThreadTeamOptions.serve`): spins on SEQ for a product newer
 * than `seen`, reads its parameters, claims and computes blocks; returns when `spin` loads
 * pass with no new product (the team then puts the helper to sleep), -1 on stop.
 */
const MATMUL_SERVE = `(() => {
  const claimBlocks = ${CLAIM_BLOCKS};
  return (ex, ctl, seen, spin) => {
    for (;;) {
      let seq = Atomics.load(ctl, ${SEQ});
      for (let i = 0; seq >= 0 && (seq === seen || seq % 2 === 1) && i < spin; i++) seq = Atomics.load(ctl, ${SEQ});
      if (seq < 0) return -1;
      if (seq === seen || seq % 2 === 1) return seen; // nothing new (or still being written): sleep
      const p = Array.from(ctl.subarray(${PARAMS}, ${PARAMS + 13}));
      if (Atomics.load(ctl, ${SEQ}) !== seq) continue; // changed while reading: read again
      seen = seq;
      claimBlocks(ctl, ex, p, true);
    }
  };
})()`;

/**
 * A pool of helper threads that compute blocks of a packed product together with the calling
 * thread, so `helpers = 1` means two threads in total.
 */
export class MatmulThreadPool implements ParallelMatmul {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  private readonly team: ThreadTeam;
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
    this.team = new ThreadTeam({
      module, memory, helpers, control: this.control, words: { seq: SEQ, ready: READY, sleep: SLEEP },
      serve: MATMUL_SERVE, spin: SPIN, name: 'matmul helper thread',
    });
  }

  /** Whether every helper has started (start-up is asynchronous and takes ~50-100 ms). */
  get ready(): boolean {
    return this.team.ready;
  }

  accepts(): boolean {
    if (!this.team.ready) return false;
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
    return this.team.waitUntilReady(timeoutMs);
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
    const seq = this.team.beginJob(); // SEQ odd: writing
    Atomics.store(ctl, NEXT, first);
    for (let i = 0; i < params.length; i++) ctl[PARAMS + i] = params[i] | 0;
    this.team.publishJob(seq); // ready (wakes sleeping helpers)
    const started = performance.now();
    workOnJob(ctl, this.exports, params, false);
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
    this.team.close();
  }
}

/** Options of {@link createThreadedWasmKernels}: the kernels' tuning plus the pool's. */
export interface ThreadedWasmKernelsOptions extends WasmKernelsOptions {
  /** Helper threads besides the calling one (default 1). */
  helpers?: number;
  /** The kernels' name (default e.g. 'wasm-relaxed-2t'). */
  name?: string;
  /** Whether the pool falls back to one thread for a while when its helpers keep arriving late (default true). */
  backoff?: boolean;
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
  options: ThreadedWasmKernelsOptions = {},
): ThreadedWasmKernels {
  const memory = createSharedMemory(INITIAL_PAGES);
  const module = loadWasmModule(variant, true);
  const { exports } = instantiateWasm<KernelExports>(module, memory);
  const helpers = options.helpers ?? 1;
  const pool = new MatmulThreadPool(module, memory, exports, helpers, options.backoff ?? true);
  const kernels = new WasmKernels(options.name ?? `${wasmBackendName(variant)}-${helpers + 1}t`, exports, memory, {
    ...options,
    parallel: pool,
    parallelMinWork: options.parallelMinWork ?? 0,
  });
  return { kernels, pool };
}
