import * as path from 'path';
import type { QueueRunnerOptions } from '@loopflow/distributed';
import { UsageError } from '../args';
import type { OptionSpec, ParsedArgs } from '../args';

/** The flags `search` and `compare` add for the queue (shared, so they read the same everywhere). */
export const QUEUE_OPTIONS: Record<string, OptionSpec> = {
  queue: { type: 'string', value: '<redis://host:port>', description: 'Put the trials on this BullMQ queue in Redis for `loopflow worker` processes on any machine (redis://[user:password@]host:port[/db], rediss:// for TLS); without it the local pool runs them.' },
  artifacts: { type: 'string', value: '<folder>', description: "With --queue: a folder every worker reaches at the same path, for the trials' run folders (a killed worker's trial resumes from its checkpoint there); without it results travel back through Redis." },
  attach: { type: 'string', value: '<id>', description: 'With --queue: follow the search (or comparison) of this id, already on the queue, instead of starting one; nothing finished is lost.' },
};

/**
 * @loopflow/distributed, loaded on use: bullmq takes a while to load, and only `--queue` and
 * `worker` need it.
 */
export function distributed(): Promise<typeof import('@loopflow/distributed')> {
  return import('@loopflow/distributed');
}

/**
 * The queue runner options of `--queue`, `--artifacts` and `--attach` (null without `--queue`;
 * the others alone are usage errors). `log` receives the runner's notes.
 */
export async function queueOptions(options: ParsedArgs['options'], cwd: string, log: (line: string) => void): Promise<QueueRunnerOptions | null> {
  const url = options.queue;
  if (url === undefined) {
    for (const flag of ['artifacts', 'attach']) if (options[flag] !== undefined) throw new UsageError(`--${flag} needs --queue`, 'e.g. --queue redis://127.0.0.1:6379', `--${flag}`);
    return null;
  }
  try {
    (await distributed()).parseQueueUrl(String(url));
  } catch (e) {
    throw queueUsage(e);
  }
  return {
    url: String(url),
    ...(options.artifacts !== undefined ? { artifacts: path.resolve(cwd, String(options.artifacts)) } : {}),
    ...(options.attach !== undefined ? { attach: true } : {}),
    log,
  };
}

/** A queue error that is the user's URL: a usage error naming --queue. */
export function queueUsage(e: unknown): unknown {
  return (e as { code?: unknown } | null)?.code === 'QUEUE_URL' ? new UsageError((e as Error).message, 'e.g. --queue redis://127.0.0.1:6379', '--queue') : e;
}

/** The search folder a re-attached search writes to: `<out>/<id>`. */
export function attachedSearchDir(out: string, id: string): string {
  if (!/^[\w.=-]+$/.test(id)) throw new UsageError(`--attach ${JSON.stringify(id)} is not a search id`, "the id is the search folder's name, printed on the search's first line", '--attach');
  return path.join(out, id);
}
