import { BackendError } from '../backend/backend-error';
import { NodeBuiltins, engineName, nodeModule, writeDiagnostic } from './node';
import { WasmMemory, WasmModule } from './webassembly';

type Worker = InstanceType<NodeBuiltins['worker_threads']['Worker']>;

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
 * Helpers run plain JavaScript evaluated in the worker (`eval: true`): they need no
 * TypeScript loader and no file path.
 */

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

/** The helper's source around the package's `serve` loop. */
function helperSource(serve: string): string {
  return `
'use strict';
const { workerData } = require('worker_threads');
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
`;
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
  private readonly workers: Worker[] = [];
  private seq = 0;
  private stopped = false;

  /**
   * Starts the helpers (asynchronously: they take ~50-100 ms to come up; jobs never wait for them).
   * @throws BackendError `BACKEND_UNAVAILABLE` where there are no worker threads (outside
   *   Node), or whatever `new Worker` throws; helpers started so far are stopped.
   */
  constructor(options: ThreadTeamOptions) {
    this.helpers = options.helpers;
    this.control = options.control;
    this.words = options.words;
    const control = options.control;
    const source = helperSource(options.serve);
    const threads = nodeModule('worker_threads');
    if (!threads) {
      throw new BackendError('BACKEND_UNAVAILABLE', `${options.name}: ${engineName()} has no worker_threads; the kernels run on the calling thread`);
    }
    const { Worker } = threads;
    try {
      for (let i = 0; i < options.helpers; i++) {
        const worker = new Worker(source, {
          eval: true,
          // Not the parent's flags: under ts-node they would load the TypeScript compiler into
          // every helper (~300 ms start-up). V8 flags such as relaxed SIMD are process-wide anyway.
          execArgv: [],
          workerData: {
            module: options.module,
            memory: options.memory,
            control: control.buffer,
            offset: control.byteOffset,
            length: control.length,
            words: { ...options.words },
            spin: options.spin,
            data: { ...options.data },
          },
        });
        worker.unref();
        worker.on('error', (err) => {
          writeDiagnostic(`loopflow: ${options.name} failed: ${String(err)}`);
        });
        this.workers.push(worker);
      }
    } catch (err) {
      this.close();
      throw err;
    }
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

  /** Blocks until every helper has started or `timeoutMs` passed; returns `ready`. */
  waitUntilReady(timeoutMs = 5000): boolean {
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
    Atomics.store(this.control, this.words.seq, -1);
    Atomics.notify(this.control, this.words.seq);
    for (const worker of this.workers) void worker.terminate();
  }
}
