import { BackendError } from '../backend/backend-error';
import { engineName, isNode, nodeModule, writeDiagnostic } from './node';
import { startWebWorker, webThreadsUnavailable } from './web';
import { WasmMemory, WasmModule } from './webassembly';

/** A started helper, Node's worker thread or a browser's Web Worker: all the team needs of it. */
interface Helper {
  terminate(): void;
}

/**
 * The thread team: helper worker threads that instantiate a package's shared-memory build
 * (`*-mt.wasm`) on the caller's `WebAssembly.Memory` and serve its jobs, posted through a few
 * int32 control words in shared memory. What a job is (how its parameters are written, how
 * threads share it out, how the caller waits for its end) belongs to the package; the team
 * owns what every job shares:
 *
 * - the words: SEQ (the job number: odd while the caller writes a job's parameters, even once
 *   the job is posted, negative to stop), READY (helpers started), SLEEP (helpers asleep in
 *   `Atomics.wait`);
 * - the helper: starts, instantiates the module, counts itself in READY, then calls the
 *   package's `serve` loop, which spins for new jobs (up to `spin` loads) and runs them; when
 *   `serve` returns (nothing new for a while) the helper counts itself in SLEEP and sleeps on
 *   SEQ (at most 1 s at a time) until a new job wakes it;
 * - waking: posting a job notifies only when a helper sleeps (`Atomics.notify` costs ~0.7 us,
 *   a tenth of a streamed step). Sequentially consistent: either the caller's load sees SLEEP
 *   raised, or the helper's wait sees the new SEQ and returns at once;
 * - lifetime: helpers are `unref()`ed (they never keep the process alive); `close()` posts
 *   the stop and terminates them; a helper's error is reported on stderr, and a job never
 *   depends on a helper (work is claimed dynamically, so the caller does what helpers do not).
 *
 * Helpers run plain JavaScript with no file of their own: in Node a `worker_threads` Worker
 * evaluating the source (`eval: true`, no TypeScript loader); in a browser a Web Worker started
 * from a Blob URL of the same source, sent the module and the shared memory by `postMessage`.
 * A browser team needs a cross-origin isolated context that may block: a dedicated Worker, never
 * the page's main thread (see runtime/web.ts). There a helper starts only once the thread that
 * created it yields to its event loop (a worker cannot start while its creator computes), so
 * `waitUntilReady` cannot wait for it: await {@link ThreadTeam.whenReady} (or
 * {@link threadsReady}) instead, or just let the work yield now and then.
 */

/**
 * Byte offsets in the team block of the fused kernels' work-sharing protocol (mirrored from
 * packages/tensor/assembly/team.ts, which cells' and attention's kernels compile in): NEXT and
 * DONE (i64 item counters), SEQ, READY, PARAMS, HELPED and SLEEP (i32 words).
 */
export const KERNEL_TEAM = { next: 0, done: 8, seq: 16, ready: 20, params: 24, helped: 28, sleep: 32 } as const;

/** {@link TeamWords} of that block, for a team whose control words are the shared memory's. */
export const KERNEL_TEAM_WORDS: TeamWords = { seq: KERNEL_TEAM.seq / 4, ready: KERNEL_TEAM.ready / 4, sleep: KERNEL_TEAM.sleep / 4 };

/** Word indices of the team's control words (in `ThreadTeamOptions.control`). */
export interface TeamWords {
  /** The job number: 2j - 1 while job j's parameters are written, 2j once posted, -1 = stop. */
  readonly seq: number;
  /** How many helpers have started. */
  readonly ready: number;
  /** How many helpers sleep in `Atomics.wait` (so posting a job must wake them). */
  readonly sleep: number;
}

/** What a team needs: the build, its memory, where the words are, and what serving a job is. */
export interface ThreadTeamOptions {
  /** The shared-memory build the helpers instantiate. */
  readonly module: WasmModule;
  /** The shared memory the caller's instance runs on. */
  readonly memory: WasmMemory;
  /** Number of helper threads (>= 1); the caller is the team's thread 0. */
  readonly helpers: number;
  /** The control words: an Int32Array over a SharedArrayBuffer (its own, or the shared memory's). */
  readonly control: Int32Array;
  /** Where SEQ, READY and SLEEP are in `control`. */
  readonly words: TeamWords;
  /**
   * JavaScript source of the helper's serving loop, a function expression
   * `(ex, ctl, seen, spin, data) => number`: with the helper's instance exports `ex`, the
   * control words `ctl` and the last job number it ran `seen`, it runs new jobs until `spin`
   * loads of SEQ pass with none, then returns the last job number it ran (the helper then
   * sleeps), or -1 when SEQ turns negative (the helper stops).
   */
  readonly serve: string;
  /** Loads of SEQ a helper spins through before sleeping. */
  readonly spin: number;
  /** Numbers passed to `serve` as `data` (e.g. where the job's parameters are). */
  readonly data?: Readonly<Record<string, number>>;
  /** What the helpers are, for the stderr report of a failure (e.g. 'matmul helper thread'). */
  readonly name: string;
}

/** Longest sleep of a helper in one `Atomics.wait` (ms), a safety net: posting wakes it. */
const NAP_MS = 1000;

/** The helper's source around the package's `serve` loop: a function of what the caller sends. */
function helperBody(serve: string): string {
  return `(workerData) => {
  const { module, memory, control, offset, length, words, spin, data } = workerData;
  const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(control, offset, length);
  const serve = (${serve});
  Atomics.add(ctl, words.ready, 1);
  Atomics.notify(ctl, words.ready);
  let seen = 0;
  for (;;) {
    const next = serve(ex, ctl, seen, spin, data);
    if (next < 0) break;
    seen = next;
    // SLEEP before the wait, which returns at once if SEQ moved meanwhile: a job posted after
    // the add sees SLEEP > 0 and notifies; one posted before it changed SEQ already.
    Atomics.add(ctl, words.sleep, 1);
    Atomics.wait(ctl, words.seq, seen, ${NAP_MS});
    Atomics.sub(ctl, words.sleep, 1);
  }
}`;
}

/** A Node helper: reads what the caller sent from `workerData`. */
function nodeHelperSource(serve: string): string {
  return `'use strict';\n(${helperBody(serve)})(require('worker_threads').workerData);\n`;
}

/** A browser helper: waits for the one message that carries what the caller sent. */
function webHelperSource(serve: string): string {
  return `'use strict';\nself.onmessage = (event) => {\n  self.onmessage = null;\n  (${helperBody(serve)})(event.data);\n};\n`;
}

/** What a helper is sent: the module, the memory, where the words are and the job's numbers. */
function helperData(options: ThreadTeamOptions): Record<string, unknown> {
  const control = options.control;
  return {
    module: options.module,
    memory: options.memory,
    control: control.buffer,
    offset: control.byteOffset,
    length: control.length,
    words: { ...options.words },
    spin: options.spin,
    data: { ...options.data },
  };
}

/** Starts `options.helpers` helpers as Node worker threads. */
function startNodeHelpers(options: ThreadTeamOptions, into: Helper[]): void {
  const threads = nodeModule('worker_threads');
  if (!threads) {
    throw new BackendError('BACKEND_UNAVAILABLE', `${options.name}: ${engineName()} has no worker_threads; the kernels run on the calling thread`);
  }
  const source = nodeHelperSource(options.serve);
  for (let i = 0; i < options.helpers; i++) {
    const worker = new threads.Worker(source, {
      eval: true,
      // Not the parent's flags: under ts-node they would load the TypeScript compiler into
      // every helper (~300 ms start-up). V8 flags such as relaxed SIMD are process-wide anyway.
      execArgv: [],
      workerData: helperData(options),
    });
    worker.unref();
    worker.on('error', (err) => {
      writeDiagnostic(`loopflow: ${options.name} failed: ${String(err)}`);
    });
    into.push({ terminate: () => void worker.terminate() });
  }
}

/** Starts `options.helpers` helpers as Web Workers (in a cross-origin isolated worker only). */
function startWebHelpers(options: ThreadTeamOptions, into: Helper[]): void {
  const why = webThreadsUnavailable();
  if (why !== null) {
    throw new BackendError('BACKEND_UNAVAILABLE', `${options.name}: no helper threads here: ${why}; the kernels run on the calling thread`);
  }
  const source = webHelperSource(options.serve);
  for (let i = 0; i < options.helpers; i++) {
    const worker = startWebWorker(source, options.name);
    worker.onerror = (event) => {
      writeDiagnostic(`loopflow: ${options.name} failed: ${event.message ?? 'error in the worker'}`);
    };
    worker.postMessage(helperData(options));
    into.push(worker);
  }
}

/**
 * Whether helper threads can start here: in Node, where `worker_threads` exists; in a browser,
 * in a cross-origin isolated context that may block (a dedicated Worker; see runtime/web.ts).
 * Kernels ask before loading a shared-memory build they could only run alone.
 */
export function helperThreadsAvailable(): boolean {
  return isNode() ? nodeModule('worker_threads') !== undefined : webThreadsUnavailable() === null;
}

/** The teams not closed yet, for {@link threadsReady}. */
const liveTeams = new Set<ThreadTeam>();

/**
 * Resolves once the helpers of every thread team started so far run (true), or after
 * `timeoutMs` (false when one is still missing). Never blocks: in a browser worker, helpers
 * start only while their creator yields, which awaiting this does.
 *
 * @example
 * getBackendName();            // creates the backend (and its team, where threads are allowed)
 * await threadsReady();        // in a Web Worker: the helpers are up before the first large product
 */
export async function threadsReady(timeoutMs = 5000): Promise<boolean> {
  const results = await Promise.all([...liveTeams].map((team) => team.whenReady(timeoutMs)));
  return results.every(Boolean);
}

/**
 * Helper threads serving jobs over shared memory, with the caller as thread 0.
 *
 * @example
 * const team = new ThreadTeam({ module, memory, helpers: 1, control, words, serve, spin: 20000, name: 'my helper' });
 * const seq = team.beginJob();     // SEQ odd: write the job's parameters now
 * writeParameters(control);
 * team.publishJob(seq);             // SEQ even: helpers take part; the caller works too
 * team.close();
 */
export class ThreadTeam {
  /** Number of helper threads. */
  readonly helpers: number;
  private readonly control: Int32Array;
  private readonly words: TeamWords;
  private readonly workers: Helper[] = [];
  private seq = 0;
  private stopped = false;

  /**
   * Starts the helpers (asynchronously: they take ~50-100 ms to come up; jobs never wait for them).
   * @throws BackendError `BACKEND_UNAVAILABLE` where there are no helper threads (Node without
   *   worker_threads; a browser context that is not cross-origin isolated, cannot start Web
   *   Workers or must not block: a page's main thread), or whatever `new Worker` throws;
   *   helpers started so far are stopped.
   */
  constructor(options: ThreadTeamOptions) {
    this.helpers = options.helpers;
    this.control = options.control;
    this.words = options.words;
    try {
      if (isNode()) startNodeHelpers(options, this.workers);
      else startWebHelpers(options, this.workers);
    } catch (err) {
      this.close();
      throw err;
    }
    liveTeams.add(this);
  }

  /** How many helpers have started. */
  get started(): number {
    return Atomics.load(this.control, this.words.ready);
  }

  /** Whether every helper has started and the team is not closed. */
  get ready(): boolean {
    return !this.stopped && this.started === this.helpers;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.stopped;
  }

  /** Whether a helper sleeps in Atomics.wait (no job for a while), so the next job must wake it. */
  get sleeping(): boolean {
    return Atomics.load(this.control, this.words.sleep) !== 0;
  }

  /**
   * Blocks until every helper has started or `timeoutMs` passed; returns `ready`. Outside Node
   * it returns `ready` at once: a browser's helpers cannot start while their creator blocks
   * (await {@link whenReady} there).
   */
  waitUntilReady(timeoutMs = 5000): boolean {
    if (!isNode()) return this.ready;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const count = this.started;
      if (count === this.helpers) return !this.stopped;
      const left = deadline - Date.now();
      if (left <= 0 || this.stopped) return false;
      Atomics.wait(this.control, this.words.ready, count, Math.min(left, 50));
    }
  }

  /**
   * Resolves with `ready` once every helper has started, or after `timeoutMs`; never blocks
   * (checks every few milliseconds, letting the event loop run meanwhile).
   */
  async whenReady(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stopped && this.started !== this.helpers && Date.now() < deadline) {
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
    return this.ready;
  }

  /**
   * Starts a job: SEQ turns odd, so no helper reads parameters while they are written.
   * Returns the job's number (even, positive), for `publishJob`.
   */
  beginJob(): number {
    // 2^30 + 2 stays a positive int32; helpers compare numbers only for equality.
    const seq = (this.seq = this.seq >= 1 << 30 ? 2 : this.seq + 2);
    Atomics.store(this.control, this.words.seq, seq - 1);
    return seq;
  }

  /**
   * Posts job `seq` (from `beginJob`, its parameters written): SEQ = seq. Sleeping helpers are
   * woken when `wake` (a job the caller keeps to itself need not wake them); spinning ones see
   * SEQ change by themselves.
   */
  publishJob(seq: number, wake = true): void {
    Atomics.store(this.control, this.words.seq, seq);
    if (wake && Atomics.load(this.control, this.words.sleep) !== 0) Atomics.notify(this.control, this.words.seq);
  }

  /** Stops the helpers (SEQ = -1, then terminates them); `ready` turns false. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    liveTeams.delete(this);
    Atomics.store(this.control, this.words.seq, -1);
    Atomics.notify(this.control, this.words.seq);
    for (const worker of this.workers) worker.terminate();
  }
}
