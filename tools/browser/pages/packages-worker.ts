/**
 * The dedicated Worker of the browser tests (bundled to packages-worker.js): runs one command
 * from the page and posts `{ result }` or `{ error }`. Before training it waits for the thread
 * teams (the backend's and the fused kernels'), whose Web Workers start only while this worker
 * yields.
 */
import { configuredThreads, getBackendName, threadsReady } from '@loopflow/tensor';
import { fusedThreadsReady } from '@loopflow/cells';
import { CharLmOptions, checkKernels, environment, trainCharLm } from './packages-check';

/** What the page asks. */
export type WorkerCommand = { run: 'environment' } | { run: 'checkKernels' } | { run: 'train'; options: CharLmOptions };
/** What the worker answers. */
export interface WorkerReply {
  result?: unknown;
  error?: string;
}

async function run(command: WorkerCommand): Promise<unknown> {
  switch (command.run) {
    case 'environment':
      return environment();
    case 'checkKernels':
      return checkKernels();
    case 'train': {
      getBackendName(); // creates the backend, and its thread team where threads are allowed
      const fusedUp = configuredThreads() > 1 ? await fusedThreadsReady(10000) : false;
      const teamsUp = await threadsReady(10000);
      return { ...(await trainCharLm(command.options)), fusedUp, teamsUp, environment: environment() };
    }
  }
}

const scope = globalThis as unknown as { onmessage: ((e: { data: WorkerCommand }) => void) | null; postMessage(m: WorkerReply): void };
scope.onmessage = (event) => {
  run(event.data).then(
    (result) => scope.postMessage({ result }),
    (err: unknown) => scope.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
};
