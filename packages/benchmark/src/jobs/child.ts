/**
 * The entry of a worker process: receives one job over IPC, runs it, sends progress and the
 * result (with the process's peak RSS), and exits. Started by the pool (`fork`), never by hand.
 */
import { runJob, BenchJob } from './job';
import { peakRssBytes } from '../training/memory';

/** Messages from the parent. */
export type ToChild = { type: 'run'; job: BenchJob };

/** Messages to the parent. */
export type FromChild =
  | { type: 'progress'; progress: import('../training/train-run').JobProgress }
  | { type: 'result'; result: Awaited<ReturnType<typeof runJob>>; rssPeakBytes: number; rssBeforeBytes: number }
  | { type: 'error'; message: string };

function send(message: FromChild): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

if (require.main === module && process.send) {
  // The parent went away (killed, crashed): stop rather than train for nobody.
  process.on('disconnect', () => process.exit(1));
  process.once('message', (message: ToChild) => {
    const rssBeforeBytes = peakRssBytes();
    runJob(message.job, (progress) => void send({ type: 'progress', progress }), true).then(
      async (result) => {
        await send({ type: 'result', result, rssPeakBytes: peakRssBytes(), rssBeforeBytes });
        process.exit(0);
      },
      async (e: unknown) => {
        await send({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
        process.exit(1);
      },
    );
  });
}
