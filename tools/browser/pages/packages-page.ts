/**
 * The page side of the browser tests (bundled to packages-page.js by tools/browser/bundle.ts):
 * runs the checks on the page's main thread, or in a dedicated Worker (packages-worker.js),
 * for the test to call through `page.evaluate`.
 */
import { setThreads } from '@loopflow/tensor';
import { CharLmOptions, checkKernels, environment, loadedExports, trainCharLm, trainWithoutYielding } from './packages-check';
import type { WorkerCommand, WorkerReply } from './packages-worker';

/** Node globals seen before the bundle's code ran (a classic script: this runs first). */
const globalsBefore = ['process', 'require', 'Buffer', 'global', 'module'].filter((name) => typeof (globalThis as Record<string, unknown>)[name] !== 'undefined');

/** A dedicated Worker as far as the page uses one (the tools compile without the DOM library). */
interface PageWorker {
  onmessage: ((event: { data: WorkerReply }) => void) | null;
  onerror: ((event: { message: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

/** Workers still running, so that a test can end them. */
const running = new Set<PageWorker>();

/** Runs one command in a new dedicated Worker; ends the worker when it answers (or `stopWorkers`). */
function inWorker(command: WorkerCommand): Promise<unknown> {
  const WorkerClass = (globalThis as unknown as { Worker: new (url: string) => PageWorker }).Worker;
  const worker = new WorkerClass('packages-worker.js');
  running.add(worker);
  const end = (): void => {
    running.delete(worker);
    worker.terminate();
  };
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      end();
      if (event.data.error !== undefined) reject(new Error(`in the worker: ${event.data.error}`));
      else resolve(event.data.result);
    };
    worker.onerror = (event) => {
      end();
      reject(new Error(`the worker failed: ${event.message}`));
    };
    worker.postMessage(command);
  });
}

/** Ends every worker still running; returns how many there were. */
function stopWorkers(): number {
  const count = running.size;
  for (const worker of running) worker.terminate();
  running.clear();
  return count;
}

/** Clicks on the page's #ping button: when each was answered, and how long after the input event it was. */
const clicks: { at: number; delayMs: number }[] = [];
/** The page's document (the tools compile without the DOM library). */
const doc = (globalThis as unknown as { document: { addEventListener(type: string, listener: (event: { timeStamp: number }) => void): void } }).document;
doc.addEventListener('click', (event) => {
  clicks.push({ at: performance.now(), delayMs: performance.now() - event.timeStamp });
});

(globalThis as Record<string, unknown>).loopflowCheck = {
  clicks,
  globalsBefore,
  setThreads,
  environment,
  loadedExports,
  checkKernels,
  trainCharLm: (options: CharLmOptions) => trainCharLm(options),
  trainWithoutYielding: (options: CharLmOptions, ms: number) => trainWithoutYielding(options, ms),
  inWorker,
  stopWorkers,
};
