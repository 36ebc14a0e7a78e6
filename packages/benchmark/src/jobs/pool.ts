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
  /** Once aborted, no job starts (the running ones are stopped by the runner's close). */
  signal?: AbortSignal;
}

/** The worker processes running now (all pools of this process). */
const running = new Set<ChildProcess>();

/** Stops every worker process running now (their jobs end as failed results): the local runner's close of an unfinished run. */
export function stopWorkers(): void {
  for (const child of running) child.kill('SIGTERM');
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

/** Runs one job in a fresh worker process; a worker that dies gives a failed result, never a throw. */
function runInWorker(job: BenchJob, onProgress: (p: JobProgress) => void, threads?: number): Promise<JobResult> {
  const { file, execArgv, env } = workerStart(threads);
  return new Promise((resolve) => {
    let settled = false;
    let child: ChildProcess;
    const finish = (result: JobResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const failed = (error: string): JobResult => ({ kind: 'failed', id: job.id, jobKind: job.kind, error });
    try {
      child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    } catch (e) {
      finish(failed(`could not start a worker process (${e instanceof Error ? e.message : String(e)})`));
      return;
    }
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
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
    child.on('close', (code, signal) => {
      running.delete(child);
      finish(failed(`worker process exited (code ${code}, signal ${signal}) before sending a result${stderr ? `; its stderr ended with:\n${stderr}` : ''}`));
    });
    child.send({ type: 'run', job } satisfies ToChild);
  });
}

/**
 * Runs jobs and returns their results in the order given: with `isolation: 'process'`, each
 * in its own worker process, `parallel` at a time (so each training run's peak RSS is its
 * own); with 'inline', one after another in this process. A job that fails gives a
 * `{ kind: 'failed' }` result; the others go on.
 *
 * @example const results = await runJobs(jobs, { parallel: 2, isolation: 'process' }, (e) => log(e));
 */
export async function runJobs(jobs: readonly BenchJob[], options: PoolOptions, onEvent: (e: PoolEvent) => void = () => {}): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let next = 0;
  const lanes = options.isolation === 'process' ? Math.max(1, Math.min(options.parallel, jobs.length)) : 1;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !options.signal?.aborted) {
      const index = next++;
      const job = jobs[index];
      onEvent({ type: 'start', job });
      const onProgress = (progress: JobProgress): void => onEvent({ type: 'progress', job, progress });
      let result: JobResult;
      if (options.isolation === 'process') {
        result = await runInWorker(job, onProgress, options.threadsPerJob);
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
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
