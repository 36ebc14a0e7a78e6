import { Job, Queue, QueueEvents } from 'bullmq';
import type { QueueAddress } from './connection';
import { redactUrl } from './connection';
import { DistributedError } from './errors';
import { QUEUE_NAME } from './protocol';

/** What the submitter hears about one job. */
export interface JobHandlers<P> {
  /** A worker took the job (or had taken it before an attach). */
  started(): void;
  progress(progress: P): void;
}

/** How a submitted job ended: its return value, or BullMQ's reason for giving it up. */
export type JobOutcome<R> = { ok: true; value: R } | { ok: false; reason: string };

interface Pending {
  name: string;
  data: object;
  handlers: JobHandlers<unknown>;
  started: boolean;
  resubmitted: number;
  settle(outcome: JobOutcome<unknown>): void;
  fail(error: Error): void;
}

/** Options of a {@link Submission}. */
export interface SubmissionOptions {
  /** Milliseconds between two checks of the unfinished jobs' states (default 1000). */
  pollMs?: number;
  /** Lines for the user (a job submitted again after Redis lost it...). */
  log?: (line: string) => void;
  /** Times a job that vanished from Redis is submitted again (default 3). */
  maxResubmits?: number;
}

/** BullMQ's job options of every loopflow job. */
const JOB_OPTIONS = {
  // a worker's own fault (its thread died) is tried once more; a trial's error is a result, and
  // a job refused (other version, invalid) is failed at once (UnrecoverableError)
  attempts: 2,
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The submitter's side of the queue: adds jobs under fixed ids (adding an id that is already
 * there adds nothing, so a re-attached submitter picks up the same jobs and their finished
 * results), hears when workers take them, their progress and their end (QueueEvents, and a
 * periodic check of every unfinished job that also catches events missed while away), and
 * submits again a job that Redis lost (a restart without persistence). Each job settles once.
 * A Redis that stays away longer than the reconnect time rejects every waiting job with
 * `QUEUE_LOST`.
 */
export class Submission {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly pending = new Map<string, Pending>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private lost: Error | undefined;
  private closed = false;

  private constructor(
    readonly address: QueueAddress,
    private readonly options: SubmissionOptions,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: address.connection });
    this.events = new QueueEvents(QUEUE_NAME, { connection: address.connection });
    // connection errors are handled through the commands that fail; keep them off the console
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
  }

  /** Connects (waiting at most the reconnect time) and starts listening. */
  static async open(address: QueueAddress, options: SubmissionOptions = {}): Promise<Submission> {
    const s = new Submission(address, options);
    try {
      await withTimeout(Promise.all([s.queue.waitUntilReady(), s.events.waitUntilReady()]), (address.reconnectSeconds + 10) * 1000);
    } catch (e) {
      s.closed = true;
      await Promise.allSettled([s.events.disconnect(), s.queue.disconnect()]);
      throw new DistributedError('QUEUE_UNREACHABLE', `cannot reach Redis at ${address.shown} (${redactUrl(e instanceof Error ? e.message : String(e))}); start redis-server there, or check the host, port, password and TLS (rediss://)`);
    }
    s.listen();
    return s;
  }

  /** The queue itself (the runners keep a search's description in a job of their own queue). */
  get bullQueue(): Queue {
    return this.queue;
  }

  private listen(): void {
    this.events.on('active', ({ jobId }) => this.started(jobId));
    this.events.on('progress', ({ jobId, data }) => {
      const p = this.pending.get(jobId);
      if (!p) return;
      this.started(jobId);
      p.handlers.progress(data);
    });
    this.events.on('completed', ({ jobId }) => void this.check(jobId).catch((e: unknown) => this.lose(e)));
    this.events.on('failed', ({ jobId }) => void this.check(jobId).catch((e: unknown) => this.lose(e)));
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 1000);
  }

  private started(jobId: string): void {
    const p = this.pending.get(jobId);
    if (p && !p.started) {
      p.started = true;
      p.handlers.started();
    }
  }

  /**
   * Adds a job under `id` (nothing new when it is there already) and resolves with how it
   * ended. Rejects only when Redis is lost or the submission is closed.
   */
  submit<R, P>(name: string, id: string, data: object, handlers: JobHandlers<P>): Promise<JobOutcome<R>> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<JobOutcome<R>>((resolve, reject) => {
      const entry: Pending = {
        name,
        data,
        handlers: handlers as JobHandlers<unknown>,
        started: false,
        resubmitted: 0,
        settle: (outcome) => {
          if (this.pending.get(id) !== entry) return;
          this.pending.delete(id);
          resolve(outcome as JobOutcome<R>);
        },
        fail: (error) => {
          if (this.pending.get(id) !== entry) return;
          this.pending.delete(id);
          reject(error);
        },
      };
      this.pending.set(id, entry);
      this.queue
        .add(name, data, { ...JOB_OPTIONS, jobId: id })
        .then(() => this.check(id))
        .catch((e: unknown) => this.lose(e));
    });
  }

  /** Settles job `id` when it has ended; submits it again when Redis no longer has it. */
  private async check(id: string): Promise<void> {
    const p = this.pending.get(id);
    if (!p) return;
    const job = await Job.fromId(this.queue, id);
    if (!this.pending.has(id)) return;
    if (!job) {
      const limit = this.options.maxResubmits ?? 3;
      if (p.resubmitted >= limit) {
        p.settle({ ok: false, reason: `the queue lost job ${id} ${limit + 1} times (Redis restarted without persistence?); given up` });
        return;
      }
      p.resubmitted++;
      p.started = false;
      this.options.log?.(`Redis no longer has job ${id} (restarted without persistence?): submitted again`);
      await this.queue.add(p.name, p.data, { ...JOB_OPTIONS, jobId: id });
      return;
    }
    const state = await job.getState();
    if (state === 'active') this.started(id);
    if (state === 'completed') {
      this.started(id);
      p.settle({ ok: true, value: typeof job.returnvalue === 'string' ? JSON.parse(job.returnvalue) : job.returnvalue });
    } else if (state === 'failed') {
      p.settle({ ok: false, reason: failureText(job) });
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed || this.pending.size === 0) return;
    this.polling = true;
    try {
      for (const id of [...this.pending.keys()]) await this.check(id);
    } catch (e) {
      this.lose(e);
    } finally {
      this.polling = false;
    }
  }

  /** Redis is gone for good (the bounded reconnect gave up): every waiting job fails with QUEUE_LOST. */
  private lose(e: unknown): void {
    if (this.closed) return;
    const detail = redactUrl(e instanceof Error ? e.message : String(e));
    this.lost = new DistributedError(
      'QUEUE_LOST',
      `lost Redis at ${this.address.shown} and could not reach it again within ${this.address.reconnectSeconds} s (${detail}); the workers keep what they run: start Redis again and re-attach with --attach`,
    );
    for (const p of [...this.pending.values()]) p.fail(this.lost);
  }

  /** Removes ended jobs (after the results are written). */
  async forget(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      try {
        await this.queue.remove(id);
      } catch {
        // a job still locked by a worker stays; it expires with removeOnComplete's age
      }
    }
  }

  /** Stops listening and closes the connections; the jobs stay on the queue. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

/** BullMQ's reason for failing a job, in loopflow's words where it is a known case. */
function failureText(job: Job): string {
  const reason = job.failedReason ?? 'failed';
  if (/stalled more than allowable limit/i.test(reason)) {
    return `its workers stopped ${job.stalledCounter ?? 'several'} times while running it (killed, out of memory, or cut off from Redis); given up after ${job.attemptsStarted ?? '?'} starts: see the workers' logs`;
  }
  return reason;
}

/** `promise`, or a rejection after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
