import { fork, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { workerEntry } from '@loopflow/training';
import type { JobProgress } from '../training/train-run';
import { BenchJob, JobResult, runJob } from './job';
import type { FromChild, ToChild } from './child';

/** How jobs run: each in a fresh worker process (peak RSS per job), or one after another in this process. */
export type Isolation = 'process' | 'inline';

/** Options of {@link runJobs}. */
export interface PoolOptions {
  /** Jobs at the same time (process isolation only; inline runs one at a time). */
  parallel: number;
  isolation: Isolation;
  /**
   * Threads each worker's kernels may use (`LOOPFLOW_THREADS` in its environment, read by the
   * WebAssembly backends), unless the environment already sets it. Keeps `parallel` workers
   * from oversubscribing the cores (spinning helper threads on a busy core stall a step).
   */
  threadsPerJob?: number;
}

/** What the pool reports while it works. */
export type PoolEvent =
  | { type: 'start'; job: BenchJob }
  | { type: 'progress'; job: BenchJob; progress: JobProgress }
  | { type: 'end'; job: BenchJob; result: JobResult };

/** The bundle of child.ts made by {@link bundledChild} in this process (undefined: not tried yet, null: not possible). */
let childBundle: string | null | undefined;

/**
 * From the sources, child.ts bundled once per process with esbuild (a dev dependency, there
 * whenever the sources are) into one CommonJS file in a temporary folder (removed at exit):
 * a worker then loads in about 0.2 s of CPU instead of about 1.3 s through ts-node (which
 * loads TypeScript and transpiles some 200 files in every worker; the quick suite starts 79).
 * Null when esbuild is missing or the bundle fails: the caller falls back to ts-node.
 */
function bundledChild(source: string): string | null {
  if (childBundle !== undefined) return childBundle;
  childBundle = null;
  try {
    // Resolved at run time (not imported): only source runs need it, and installs lack it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-compare-'));
    const file = path.join(dir, 'child.cjs');
    const root = findUp(path.dirname(source), 'tsconfig.base.json');
    if (!root) return null;
    esbuild.buildSync({
      entryPoints: [source], outfile: file, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      tsconfig: path.join(root, 'tsconfig.base.json'), external: ['ts-node', 'ts-node/*'], logLevel: 'silent',
    });
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    childBundle = file;
  } catch {
    childBundle = null;
  }
  return childBundle;
}

function findUp(dir: string, name: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, name))) return d;
    if (path.dirname(d) === d) return null;
  }
}

/**
 * How to start the worker: from the sources, child.ts bundled by esbuild (see
 * {@link bundledChild}; through ts-node when that is not possible); from a build, the compiled
 * dist/child.cjs (the rule is @loopflow/training's `workerEntry`).
 */
function workerStart(threads?: number): { file: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  const entry = workerEntry(__filename, 'child');
  const bundle = entry.fromSources ? bundledChild(entry.file) : null;
  const env: NodeJS.ProcessEnv = { ...process.env, ...(bundle ? {} : entry.env) };
  if (threads !== undefined && env.LOOPFLOW_THREADS === undefined) env.LOOPFLOW_THREADS = String(threads);
  return bundle ? { file: bundle, execArgv: ['--expose-gc'], env } : { file: entry.file, execArgv: ['--expose-gc', ...entry.execArgv], env };
}

/**
 * A worker process started before its job: it boots Node and loads the worker's code, then
 * waits for one job (jobs/child.ts). Its listeners are attached at start, so a worker that
 * dies while it waits is known (`closed`) and is not given a job.
 */
interface Worker {
  child: ChildProcess | null;
  /** Why it could not start (fork threw). */
  startError: string | null;
  closed: boolean;
  /** The tail of its stderr (for the message of a worker that dies). */
  stderr: string;
}

/** Forks a worker process; it loads and waits for a job (see {@link runOnWorker}). */
function startWorker(threads?: number): Worker {
  const { file, execArgv, env } = workerStart(threads);
  const worker: Worker = { child: null, startError: null, closed: false, stderr: '' };
  try {
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    worker.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      worker.stderr = (worker.stderr + chunk.toString()).slice(-4000);
    });
    child.on('close', () => {
      worker.closed = true;
    });
    // A spare that errors before it gets a job is closed; runOnWorker listens once it has one.
    child.on('error', () => undefined);
  } catch (e) {
    worker.startError = e instanceof Error ? e.message : String(e);
  }
  return worker;
}

/** Lets a worker that got no job go: it exits when its IPC channel closes (jobs/child.ts). */
function dismissWorker(worker: Worker): void {
  if (worker.child && !worker.closed && worker.child.connected) worker.child.disconnect();
}

/** Runs one job on a started worker, which then exits; a worker that dies gives a failed result, never a throw. */
function runOnWorker(worker: Worker, job: BenchJob, onProgress: (p: JobProgress) => void): Promise<JobResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: JobResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const failed = (error: string): JobResult => ({ kind: 'failed', id: job.id, jobKind: job.kind, error });
    const child = worker.child;
    if (!child) {
      finish(failed(`could not start a worker process (${worker.startError})`));
      return;
    }
    child.on('message', (m: FromChild) => {
      if (m.type === 'progress') onProgress(m.progress);
      else if (m.type === 'error') finish(failed(m.message));
      else if (m.type === 'result') {
        const r = m.result;
        finish(r.kind === 'train' ? { ...r, rssPeakBytes: m.rssPeakBytes, rssWorkerBaseBytes: m.rssBeforeBytes } : r);
      }
    });
    child.on('error', (e) => finish(failed(`worker process error: ${e.message}`)));
    // 'close', not 'exit': 'exit' can come before the IPC channel has delivered the child's last
    // messages (its result, sent just before process.exit), which then read as a lost result;
    // 'close' comes once the process has exited and its stdio and IPC channel are closed.
    const lost = (code: number | null, signal: string | null): void =>
      finish(failed(`worker process exited (code ${code}, signal ${signal}) before sending a result${worker.stderr ? `; its stderr ended with:\n${worker.stderr}` : ''}`));
    if (worker.closed) {
      lost(child.exitCode, child.signalCode);
      return;
    }
    child.on('close', lost);
    child.send({ type: 'run', job } satisfies ToChild);
  });
}

/**
 * Runs jobs and returns their results in the order given: with `isolation: 'process'`, each
 * in its own worker process, `parallel` at a time (so each training run's peak RSS is its
 * own); with 'inline', one after another in this process. A job that fails gives a
 * `{ kind: 'failed' }` result; the others go on. While a training run reports progress (and
 * jobs remain), its lane starts the worker process of its next job, so that Node's start and
 * the loading of the worker's code overlap the run instead of following it; a worker left
 * without a job is dismissed.
 *
 * @example const results = await runJobs(jobs, { parallel: 2, isolation: 'process' }, (e) => log(e));
 */
export async function runJobs(jobs: readonly BenchJob[], options: PoolOptions, onEvent: (e: PoolEvent) => void = () => {}): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let next = 0;
  const lanes = options.isolation === 'process' ? Math.max(1, Math.min(options.parallel, jobs.length)) : 1;
  const lane = async (): Promise<void> => {
    // The worker started for the lane's next job (a field: the progress callback sets it).
    const prepared: { worker: Worker | null } = { worker: null };
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      onEvent({ type: 'start', job });
      // A training run's first progress report (after its first steps) starts this lane's next
      // worker, which loads while the run goes on. Never during a scaling measurement: its
      // timings are taken with nothing else starting beside it.
      const prepareNext = job.kind === 'train' && options.isolation === 'process';
      const onProgress = (progress: JobProgress): void => {
        if (prepareNext && !prepared.worker && next < jobs.length) prepared.worker = startWorker(options.threadsPerJob);
        onEvent({ type: 'progress', job, progress });
      };
      let result: JobResult;
      if (options.isolation === 'process') {
        // The worker started while the lane's previous job ran (unless it died waiting).
        const spare = prepared.worker;
        prepared.worker = null;
        const worker = spare && !spare.closed ? spare : startWorker(options.threadsPerJob);
        if (spare && spare !== worker) dismissWorker(spare);
        result = await runOnWorker(worker, job, onProgress);
      } else {
        try {
          result = await runJob(job, onProgress, false);
        } catch (e) {
          result = { kind: 'failed', id: job.id, jobKind: job.kind, error: e instanceof Error ? e.message : String(e) };
        }
      }
      results[index] = result;
      onEvent({ type: 'end', job, result });
    }
    if (prepared.worker) dismissWorker(prepared.worker);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
