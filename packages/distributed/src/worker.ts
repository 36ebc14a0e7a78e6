import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { checkDefinition, localTrialRunner, PipelineDefinition, TrialRunner, TrialTask } from '@loopflow/pipeline';
import { JobProgress, runJobs } from '@loopflow/benchmark';
import { parseQueueUrl, redactUrl } from './connection';
import { DistributedError } from './errors';
import { checkCompareJob, checkTrialJob, COMPARE_JOB, CompareJobReturn, QUEUE_NAME, ReturnedFile, TRIAL_JOB, TrialJobReturn } from './protocol';
import { loopflowVersion } from './version';
import { withTimeout } from './submission';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /** Jobs at once (default: the CPUs for trials; each comparison job gets the cores shared among them). */
  concurrency?: number;
  /**
   * Milliseconds a taken job stays locked without this worker renewing the lock (default
   * 30000): a worker killed mid-job has its job taken up by another after about this long.
   */
  lockMs?: number;
  /** Seconds a lost Redis is waited for before the worker stops with QUEUE_LOST (default 60). */
  reconnectSeconds?: number;
  /** Total bytes of a run folder's files sent back through Redis when there is no shared folder (default 16 MB). */
  returnLimitBytes?: number;
  /** Lines for the user: each job taken, finished, refused. */
  log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorker {
  /** `host:pid`, as jobs and messages name it. */
  readonly name: string;
  /** Resolves when the worker stops (closed, or Redis lost: then it rejects with QUEUE_LOST). */
  readonly done: Promise<void>;
  /** Takes no more jobs, lets the running ones finish, and disconnects. */
  close(): Promise<void>;
}

/** Times a job whose worker vanished mid-run (killed, lost) is taken up again before it fails. */
export const MAX_STALLED = 2;

/**
 * Starts a worker: takes trials and comparison jobs from the queue at `url` and runs them on
 * this machine, each trial on a worker thread and each comparison job in a worker process (so
 * this thread keeps renewing the job's lock however long a step takes). Every job is checked
 * first: its loopflow version (another version's is refused, `JOB_VERSION`), its shape, and a
 * trial's definition validated again here; a refused job fails at once, never retried. A
 * trial's own error is its result (status 'failed'), not a retry. With a shared artifacts
 * folder, a trial taken up again after its worker died resumes from its last checkpoint.
 *
 * @example const worker = await startWorker({ url: 'redis://127.0.0.1:6379', log: console.log }); await worker.done;
 */
export async function startWorker(options: WorkerOptions): Promise<QueueWorker> {
  const address = parseQueueUrl(options.url, { reconnectSeconds: options.reconnectSeconds });
  const name = `${os.hostname()}:${process.pid}`;
  const concurrency = Math.max(1, options.concurrency ?? os.cpus().length);
  const log = options.log ?? (() => undefined);
  const lockMs = options.lockMs ?? 30000;
  warmUp();
  let trials: TrialRunner | null = null;
  const trialRunner = (): TrialRunner => (trials ??= localTrialRunner(concurrency));

  const processor = async (job: Job): Promise<TrialJobReturn | CompareJobReturn> => {
    try {
      if (job.name === TRIAL_JOB) return await runTrialJob(job, name, trialRunner(), options.returnLimitBytes ?? 16 * 1024 * 1024, log);
      if (job.name === COMPARE_JOB) return await runCompareJob(job, name, concurrency, log);
      throw new DistributedError('JOB_INVALID', `job ${job.id} is named '${job.name}', expected '${TRIAL_JOB}' or '${COMPARE_JOB}'; refused`);
    } catch (e) {
      if (e instanceof DistributedError) {
        log(`refused job ${job.id}: ${e.message}`);
        // no retry: another attempt would be refused the same way
        throw new UnrecoverableError(`${e.code}: ${e.message}`);
      }
      log(`job ${job.id} failed on this worker (it will be tried again): ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection: address.connection,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: MAX_STALLED,
    name,
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
  let lost: Error | undefined;
  let stop: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    stop = () => (lost ? reject(lost) : resolve());
  });
  worker.on('error', (e) => {
    if (!lost) log(`queue: ${redactUrl(e.message)}`);
  });
  // A command on a connection of its own, every second: it waits through a reconnect and fails
  // once the bounded reconnect gives up; then the worker stops instead of waiting forever.
  const health = new Queue(QUEUE_NAME, { connection: address.connection });
  health.on('error', () => undefined);
  let healthTimer: ReturnType<typeof setTimeout> | undefined;
  const checkHealth = (): void => {
    health.getJobCounts('wait').then(
      () => {
        if (!closing) healthTimer = setTimeout(checkHealth, 1000);
      },
      () => {
        if (closing) return;
        lost = new DistributedError('QUEUE_LOST', `lost Redis at ${address.shown} and could not reach it again within ${address.reconnectSeconds} s; stopped (its running jobs go to other workers once Redis is back): start the worker again then`);
        void close();
      },
    );
  };
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearTimeout(healthTimer);
      // with Redis gone, closing cannot tell Redis anything: bounded
      await withTimeout(worker.close(Boolean(lost)), 10000).catch(() => worker.disconnect());
      await withTimeout(health.close(), 5000).catch(() => health.disconnect());
      await trials?.close(true);
      stop();
    })());
  try {
    await waitReady(worker, address.reconnectSeconds);
  } catch (e) {
    await Promise.allSettled([worker.disconnect(), health.disconnect()]);
    throw new DistributedError('QUEUE_UNREACHABLE', `cannot reach Redis at ${address.shown} (${redactUrl(e instanceof Error ? e.message : String(e))}); start redis-server there, or check the host, port, password and TLS (rediss://)`);
  }
  checkHealth();
  log(`worker ${name} (loopflow ${loopflowVersion()}): taking up to ${concurrency} job(s) at once from ${address.shown}`);
  return { name, done, close };
}

/**
 * Compiles the definition schema before the first job: the first validation takes seconds on a
 * busy machine, and a job taken while this thread is busy with it would miss its lock renewal
 * (another worker would then run it too).
 */
function warmUp(): void {
  const definition = { name: 'warm-up', stages: [{ stage: 'lines', path: 'warm-up.txt' }] } as PipelineDefinition;
  checkDefinition(definition, { baseDir: os.tmpdir(), checkSearch: false });
}

async function waitReady(worker: Worker, seconds: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      worker.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), (seconds + 10) * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A checkpoint folder written whole (its trainer.json is written last). */
function hasCheckpoint(runDir: string): boolean {
  try {
    return fs.readdirSync(path.join(runDir, 'checkpoints')).some((entry) => fs.existsSync(path.join(runDir, 'checkpoints', entry, 'trainer.json')));
  } catch {
    return false;
  }
}

async function runTrialJob(job: Job, worker: string, runner: TrialRunner, returnLimit: number, log: (line: string) => void): Promise<TrialJobReturn> {
  const data = checkTrialJob(job.data, job.id, worker);
  const folder = `trial-${String(data.index).padStart(3, '0')}`;
  const runDir = data.artifacts ? path.join(data.artifacts, data.runId, folder) : fs.mkdtempSync(path.join(os.tmpdir(), `loopflow-${folder}-`));
  let resumeFrom: string | undefined;
  let earlier: string | undefined;
  if (data.artifacts && fs.existsSync(runDir)) {
    // an earlier attempt's folder (its worker died): move it aside and resume from its checkpoint
    earlier = `${runDir}.attempt-${Date.now()}`;
    fs.renameSync(runDir, earlier);
    if (hasCheckpoint(earlier)) resumeFrom = path.join(earlier, 'checkpoints');
  }
  log(`trial ${data.index} of search ${data.runId} taken (job ${job.id}, start ${job.attemptsStarted})${resumeFrom ? `: resuming from ${resumeFrom}` : ''}`);
  const task: TrialTask = { index: data.index, values: data.values, definition: data.definition, baseDir: data.baseDir, runDir, metric: data.metric, ...(resumeFrom ? { resumeFrom } : {}) };
  const result = await runner.run(task, {
    started: () => undefined,
    progress: (p) => void job.updateProgress(p).catch(() => undefined),
  });
  if (earlier) fs.rmSync(earlier, { recursive: true, force: true });
  log(`trial ${data.index} of search ${data.runId} ${result.status}${result.metric !== undefined ? ` (${data.metric} ${result.metric})` : ''}${result.error ? `: ${result.error.split('\n')[0]}` : ''}`);
  if (data.artifacts) return { result, worker };
  const { files, leftOut } = collectFiles(runDir, returnLimit);
  fs.rmSync(runDir, { recursive: true, force: true });
  return { result, files, ...(leftOut.length > 0 ? { leftOut } : {}), worker };
}

/** A run folder's files, smallest first, up to `limit` bytes in all; the rest listed as left out. */
function collectFiles(runDir: string, limit: number): { files: ReturnedFile[]; leftOut: { path: string; bytes: number }[] } {
  const all: { path: string; bytes: number }[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) all.push({ path: path.relative(runDir, full).split(path.sep).join('/'), bytes: fs.statSync(full).size });
    }
  };
  walk(runDir);
  all.sort((a, b) => a.bytes - b.bytes || a.path.localeCompare(b.path));
  const files: ReturnedFile[] = [];
  const leftOut: { path: string; bytes: number }[] = [];
  let total = 0;
  for (const f of all) {
    if (total + f.bytes > limit) leftOut.push(f);
    else {
      total += f.bytes;
      files.push({ path: f.path, base64: fs.readFileSync(path.join(runDir, f.path)).toString('base64') });
    }
  }
  return { files, leftOut };
}

async function runCompareJob(job: Job, worker: string, concurrency: number, log: (line: string) => void): Promise<CompareJobReturn> {
  const data = checkCompareJob(job.data, job.id, worker);
  log(`job ${data.job.id} of comparison ${data.runId} taken (start ${job.attemptsStarted})`);
  // as the local pool: scaling timings on one thread; training shares the cores among the jobs at once
  const threadsPerJob = data.job.kind === 'scaling' ? 1 : Math.max(1, Math.floor(os.cpus().length / concurrency));
  const [result] = await runJobs([data.job], { parallel: 1, isolation: 'process', threadsPerJob }, (e) => {
    if (e.type === 'progress') void job.updateProgress(e.progress as JobProgress).catch(() => undefined);
  });
  log(`job ${data.job.id} of comparison ${data.runId}: ${result.kind === 'failed' ? `failed: ${result.error.split('\n')[0]}` : 'done'}`);
  return { result, worker };
}
