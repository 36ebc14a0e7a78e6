/** Options of the queue runners ({@link queueTrialRunner}, {@link queueJobRunner}). */
export interface QueueRunnerOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /**
   * A folder every worker reaches at the same path (a network share): trials' run folders go
   * to `<artifacts>/<search id>/trial-NNN`, and a trial taken up again after its worker was
   * killed resumes from its last checkpoint there. Without it, each run folder's files travel
   * back through Redis (up to `returnLimitBytes`) and the submitter writes them.
   */
  artifacts?: string;
  /** Re-attach to the search or comparison already on the queue (same id) instead of starting it: finished results are picked up, unfinished ones awaited. */
  attach?: boolean;
  /** Seconds a lost Redis is waited for before the run stops with QUEUE_LOST (default 60). */
  reconnectSeconds?: number;
  /** Milliseconds between checks of the unfinished jobs (default 1000). */
  pollMs?: number;
  /** Lines for the user (jobs submitted again, files left out). */
  log?: (line: string) => void;
}
