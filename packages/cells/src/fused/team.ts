import { KERNEL_TEAM, KERNEL_TEAM_WORDS, ThreadTeam, configuredThreads as runtimeThreads } from '@loopflow/tensor';
import { WasmHeap } from './heap';
import { FusedExports, FusedInstance } from './wasm-module';

/**
 * Runs kernel jobs (assembly/team.ts) on the calling thread, with a helper thread taking work
 * items alongside it when the shared-memory build is loaded and more than one thread is
 * allowed. The job's parameters are int32 words in WebAssembly memory; the helper is
 * @loopflow/tensor's thread team (runtime/team.ts: worker start, SEQ / READY / SLEEP words,
 * waking, stop) serving this build: its serving loop is the build's `serve` export, which spins
 * on the team block's SEQ word inside WebAssembly, then calls `runJob` too. Claiming is
 * dynamic, so a helper that is not scheduled (a busy machine) costs at most the item it holds;
 * a helper that has not started yet simply takes no items.
 */

/** Word indices of the job parameters (assembly/team.ts). */
export const P = {
  KERNEL: 0, STEPS: 1, BATCH: 2, HIDDEN: 3, REVERSE: 4, MODE: 5, WEIGHTS: 6, LENGTHS: 7, WHH: 8, BHH: 9, ACTS: 10,
  AUX0: 11, AUX1: 12, AUX2: 13, OUT: 14, H: 15, C: 16, DOUT: 17, DH: 18, DC: 19, DWHH: 20, DBHH: 21, SCRATCH: 22,
  THREADS: 23, BASE_LO: 24, BASE_HI: 25, SEQ: 26, X: 27, INPUT: 28, WIH: 29, BIH: 30, DX: 31, DWIH: 32, DBIH: 33,
  NO_TAPE: 34,
} as const;
/** Words of the parameter block (assembly/team.ts P_WORDS: a multiple of 16, so each thread's copy has cache lines of its own). */
export const PARAM_WORDS = 48;

/** Words of the team block the runtime's team watches (SEQ, READY, SLEEP and the rest). */
const TEAM_WORDS = 16;
/** Loads of SEQ a helper spins through (in WebAssembly, `serve`) before sleeping in Atomics.wait. */
const SPIN = 50000;
/**
 * Of the jobs worth splitting, every EXPLORE-th one runs the way that has looked slower (every
 * EXPLORE_FAR-th when it looked more than 30% slower).
 */
const EXPLORE = 8;
const EXPLORE_FAR = 32;
/** Jobs of at least this much work (multiply-adds) are all timed; smaller ones one in four. */
const SAMPLE_WORK = 1 << 20;
/** Weight of the newest timing in the running averages. */
const EMA = 0.25;

/** Running averages of a kernel's time per unit of work, alone and with the helper. */
interface Timing {
  alone?: number;
  shared?: number;
  jobs: number;
}

/** `FusedTeam.limit` value that always shares large jobs with the helper. */
export const FORCE_SHARED = -1;

/**
 * Threads to use: the runtime's `configuredThreads` (`LOOPFLOW_THREADS`, else 2 on a machine
 * with 2+ cores), at most 2 (the caller and one helper); 1 when the setting is malformed.
 */
export function configuredThreads(): number {
  try {
    return Math.min(runtimeThreads(), 2);
  } catch {
    return 1;
  }
}

/**
 * The helper's serving loop (see `ThreadTeamOptions.serve`): the build's `serve` export spins
 * on SEQ and runs new jobs as thread 1, inside WebAssembly (a call into it per job would cost
 * more than a streamed step's share).
 */
const FUSED_SERVE = '(ex, ctl, seen, spin, data) => ex.serve(data.params, data.team, seen, spin)';

/** One job's parameters, by name (pointers are byte offsets; absent = 0). */
export type JobParams = Partial<Record<keyof typeof P, number>>;

/** The job runner of one kernels instance. */
export class FusedTeam {
  readonly ex: FusedExports;
  /** Threads that may work on a job (1 = the caller alone). */
  readonly threads: number;
  private readonly team: number;
  private readonly params: number;
  /** The helper thread, started on the first job worth sharing. */
  private helper: ThreadTeam | null = null;
  private readonly timings = new Map<number, Timing>();

  constructor(private readonly instance: FusedInstance, private readonly heap: WasmHeap) {
    this.ex = instance.ex;
    this.threads = instance.build.threaded ? configuredThreads() : 1;
    this.team = heap.alloc(this.ex.teamBytes(2) >>> 0);
    this.params = heap.alloc(PARAM_WORDS * 4);
    heap.i32.fill(0, this.team >> 2, (this.team >> 2) + ((this.ex.teamBytes(2) >>> 0) >> 2));
  }

  /** The team block's words (a fresh view: growth detaches the buffer of an unshared memory). */
  private get ctl(): Int32Array {
    return this.heap.i32.subarray(this.team >> 2, (this.team >> 2) + TEAM_WORDS);
  }

  /** Work items the helper has computed so far (statistics: shows it takes part). */
  get helperItems(): number {
    return Atomics.load(this.ctl, KERNEL_TEAM.helped / 4);
  }

  /** Whether the helper sleeps in Atomics.wait (no job for a while), so the next shared job must wake it. */
  get helperSleeping(): boolean {
    return this.helper !== null && this.helper.sleeping;
  }

  /** Whether the helper thread is running (it starts asynchronously on the first threaded job). */
  get helperReady(): boolean {
    return this.helper !== null && this.helper.ready;
  }

  /**
   * How many threads a job of `kernel` gets now (size its scratch for this count and pass it
   * to `run`). A job worth splitting (`parallel`) is shared with the helper once it runs, as
   * long as sharing has measured faster: on a busy machine the helper may not get a core, and a
   * helper descheduled while it holds a block of rows delays the end of the job, so the team
   * keeps the average time per unit of work both ways (per kernel) and now and then runs a job
   * the other way to keep both averages current.
   */
  threadsFor(parallel: boolean, kernel = 0): number {
    if (!parallel || this.threads < 2 || (this.limit < 2 && this.limit !== FORCE_SHARED) || !this.ensureHelper()) return 1;
    if (this.limit === FORCE_SHARED) return this.threads;
    let timing = this.timings.get(kernel);
    if (!timing) this.timings.set(kernel, (timing = { jobs: 0 }));
    timing.jobs++;
    if (timing.shared === undefined) return this.threads;
    if (timing.alone === undefined) return 1;
    const sharedIsFaster = timing.shared < timing.alone;
    const ratio = sharedIsFaster ? timing.alone / timing.shared : timing.shared / timing.alone;
    const explore = timing.jobs % (ratio > 1.3 ? EXPLORE_FAR : EXPLORE) === 0;
    return sharedIsFaster !== explore ? this.threads : 1;
  }

  private record(kernel: number, threads: number, ms: number, work: number): void {
    const timing = this.timings.get(kernel);
    if (!timing || work <= 0) return;
    const perWork = ms / work;
    const key = threads > 1 ? 'shared' : 'alone';
    const previous = timing[key];
    timing[key] = previous === undefined ? perWork : previous + EMA * (perWork - previous);
  }

  /**
   * At most this many threads per job from now on (1 keeps the helper idle); FORCE_SHARED
   * always shares large jobs, without the timing (measurements and tests).
   */
  limit = Infinity;

  /**
   * Runs a job to completion on the calling thread, shared with the helper when `threads` > 1.
   * `work` (multiply-adds, say) feeds the timing that `threadsFor` decides by.
   */
  run(kernel: number, job: JobParams, threads: number, work = 0): void {
    this.runPrepared(this.prepare(kernel, job, this.words), threads, work);
  }

  /**
   * A job's parameter words, written once (`into`, or a new array) for {@link runPrepared}: a
   * caller that runs the same job again and again (a stream, one step a call) changes only the
   * words that differ, instead of rebuilding them by name every time.
   */
  prepare(kernel: number, job: JobParams, into = new Int32Array(PARAM_WORDS)): Int32Array {
    into.fill(0);
    for (const key in job) into[P[key as keyof typeof P]] = (job[key as keyof typeof P] as number) | 0;
    into[P.KERNEL] = kernel;
    return into;
  }

  /** Runs the job `words` ({@link prepare}) as {@link run} does. */
  runPrepared(words: Int32Array, threads: number, work = 0): void {
    const kernel = words[P.KERNEL];
    // Only the kernels threadsFor decides for are timed, and jobs of under SAMPLE_WORK only
    // one in four (performance.now costs ~50 ns a call; a streamed step takes a few us). Every
    // EXPLORE-th job, the one run the other way, is among those timed.
    const timing = this.timings.get(kernel);
    const timed = timing !== undefined && (work >= SAMPLE_WORK || (timing.jobs & 3) === 0);
    const started = timed ? performance.now() : 0;
    const i32 = this.heap.i32;
    // Every item of the previous job is done, so NEXT == DONE: the new job starts there.
    words[P.BASE_LO] = i32[(this.team + KERNEL_TEAM.done) >> 2];
    words[P.BASE_HI] = i32[((this.team + KERNEL_TEAM.done) >> 2) + 1];
    words[P.THREADS] = threads;
    const helper = this.helper;
    if (helper === null) {
      // No helper: the job is the caller's alone (runJob as thread 0 does not look at SEQ).
      words[P.SEQ] = 0;
      i32.set(words, this.params >> 2);
      this.ex.runJob(this.params, this.team, 0, 0);
    } else {
      // SEQ is odd while the parameters are written, so the helper never reads a torn block; a
      // job with THREADS = 1 is the caller's alone (a helper that sees it returns at once), so
      // only a shared job wakes a sleeping helper.
      const seq = helper.beginJob();
      words[P.SEQ] = seq;
      i32.set(words, this.params >> 2);
      helper.publishJob(seq, threads > 1);
      this.ex.runJob(this.params, this.team, 0, seq);
    }
    if (timed) this.record(kernel, threads, performance.now() - started, work);
  }

  /** The parameter words of the job being written. */
  private readonly words = new Int32Array(PARAM_WORDS);

  private ensureHelper(): boolean {
    if (this.helper) return this.helper.ready;
    try {
      this.helper = new ThreadTeam({
        module: this.instance.build.module,
        memory: this.instance.memory,
        helpers: 1,
        control: this.ctl,
        words: KERNEL_TEAM_WORDS,
        serve: FUSED_SERVE,
        spin: SPIN,
        data: { params: this.params, team: this.team },
        name: 'fused-kernel helper thread',
      });
    } catch {
      (this as { threads: number }).threads = 1;
    }
    return false;
  }

  /**
   * Starts the helper if needed and resolves once it runs (true) or after `timeoutMs` (false);
   * never blocks, so a browser worker's helper, which starts only while its creator yields, can
   * come up meanwhile.
   */
  async whenHelperReady(timeoutMs = 5000): Promise<boolean> {
    if (this.threads < 2) return false;
    this.ensureHelper();
    return this.helper !== null && this.helper.whenReady(timeoutMs);
  }

  /**
   * Starts the helper if needed and blocks until it runs or `timeoutMs` passed; returns whether
   * it runs (for measurements and tests; jobs never wait for it). Outside Node it does not
   * block (see {@link whenHelperReady}).
   */
  waitForHelper(timeoutMs = 5000): boolean {
    if (this.threads < 2) return false;
    this.ensureHelper();
    return this.helper !== null && this.helper.waitUntilReady(timeoutMs);
  }

  /** Stops the helper thread (jobs then run on the caller alone). */
  close(): void {
    if (!this.helper) return;
    this.helper.close();
    this.helper = null;
    (this as { threads: number }).threads = 1;
  }
}
