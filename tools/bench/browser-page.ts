/**
 * The `browser` bench's page (bundled to browser-page.js): runs each case in a dedicated Worker
 * of its own (browser-loopflow.js or browser-tfjs.js), so that no state carries from one case to
 * the next, and the page's main thread stays free.
 */
import type { BrowserCaseResult, BrowserCaseSpec } from './browser-config';

interface PageWorker {
  onmessage: ((event: { data: { result?: BrowserCaseResult; error?: string } }) => void) | null;
  onerror: ((event: { message: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

function runCase(spec: BrowserCaseSpec): Promise<BrowserCaseResult> {
  const WorkerClass = (globalThis as unknown as { Worker: new (url: string) => PageWorker }).Worker;
  const worker = new WorkerClass(spec.impl === 'loopflow' ? 'browser-loopflow.js' : 'browser-tfjs.js');
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.result) resolve(event.data.result);
      else reject(new Error(`${spec.impl} ${spec.threads}t ${spec.cell} ${spec.mode}: ${event.data.error}`));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`${spec.impl} worker failed: ${event.message}`));
    };
    worker.postMessage(spec);
  });
}

/** What the page knows of its browser. */
function pageInfo(): { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean } {
  const g = globalThis as unknown as { navigator: { userAgent: string; hardwareConcurrency: number }; crossOriginIsolated: boolean };
  return { userAgent: g.navigator.userAgent, hardwareConcurrency: g.navigator.hardwareConcurrency, crossOriginIsolated: g.crossOriginIsolated };
}

(globalThis as Record<string, unknown>).browserBench = { runCase, pageInfo };
