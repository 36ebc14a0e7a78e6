import type { Command } from './command';
import { EXIT } from '../io';
import { UsageError } from '../args';
import { distributed, queueUsage } from './queue';

/** A number option that must be a whole number >= 1. */
function wholeNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1) throw new UsageError(`${flag} must be a whole number >= 1, got ${value}`, undefined, flag);
  return value as number;
}

/** `loopflow worker --queue redis://...`: takes search trials and comparison jobs from the queue until stopped. */
export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker --queue <redis://host:port> [--concurrency <n>] [--lock-ms <ms>] [--quiet]',
  summary: 'Take search trials and comparison jobs from a Redis queue (loopflow search|compare --queue) and run them here, until stopped.',
  options: {
    queue: { type: 'string', value: '<redis://host:port>', description: 'The queue: redis://[user:password@]host:port[/db], or rediss:// for TLS.' },
    concurrency: { type: 'number', value: '<n>', description: 'Jobs at once on this machine (default: the CPUs).' },
    'lock-ms': { type: 'number', value: '<ms>', description: "How long a job's lock lasts without renewal (default 30000): a killed worker's job goes to another worker after about this long." },
    'reconnect-seconds': { type: 'number', value: '<s>', description: 'How long a lost Redis is waited for before the worker stops (default 60).' },
    quiet: { type: 'flag', description: 'Print nothing but errors.' },
  },
  async run(args, io) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`, 'loopflow worker takes only options');
    const url = args.options.queue;
    if (typeof url !== 'string') throw new UsageError('missing --queue', 'e.g. loopflow worker --queue redis://127.0.0.1:6379', '--queue');
    const concurrency = wholeNumber(args.options.concurrency, '--concurrency');
    const lockMs = wholeNumber(args.options['lock-ms'], '--lock-ms');
    const reconnectSeconds = wholeNumber(args.options['reconnect-seconds'], '--reconnect-seconds');
    const { redactUrl, startWorker } = await distributed();
    const quiet = Boolean(args.options.quiet);
    const say = (line: string): void => {
      if (!quiet) io.stderr.write(`${redactUrl(line)}\n`);
    };
    let worker;
    try {
      worker = await startWorker({ url, ...(concurrency ? { concurrency } : {}), ...(lockMs ? { lockMs } : {}), ...(reconnectSeconds ? { reconnectSeconds } : {}), log: say });
    } catch (e) {
      throw queueUsage(e);
    }
    // Ctrl-C / SIGTERM end the process at once (exit 130, as for every command but run and
    // search): the jobs it ran are taken up by other workers once their locks expire (--lock-ms).
    try {
      await worker.done;
      say(`worker ${worker.name} stopped`);
      return EXIT.ok;
    } catch (e) {
      io.stderr.write(`loopflow worker: ${redactUrl(e instanceof Error ? e.message : String(e))}\n`);
      return EXIT.failed;
    }
  },
};
