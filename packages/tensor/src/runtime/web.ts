/**
 * What a browser offers the thread team, detected without touching the DOM types (the packages
 * compile without the DOM library): Web Workers, SharedArrayBuffer (only in a cross-origin
 * isolated page or worker), and blocking waits (`Atomics.wait`, which a page's main thread
 * refuses: nothing may block it). Every answer is false where there is no such engine (Node
 * answers through node.ts instead).
 */

/** The members of the Web platform the runtime uses. */
interface WebGlobals {
  readonly crossOriginIsolated?: boolean;
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  readonly Blob?: new (parts: string[], options: { type: string }) => unknown;
  readonly URL?: { createObjectURL?(blob: unknown): string; revokeObjectURL?(url: string): void };
}

/** A Web Worker, as far as the team uses one. */
export interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onerror: ((event: { message?: string }) => void) | null;
}

const web = (): WebGlobals => globalThis as unknown as WebGlobals;

let blockingCache: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait` (a worker may, a page's main thread may not).
 * Probed once with a wait that returns at once ('not-equal') where waiting is allowed.
 */
export function canBlock(): boolean {
  if (blockingCache === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingCache = true;
    } catch {
      blockingCache = false;
    }
  }
  return blockingCache;
}

/**
 * Why this browser context cannot run a thread team, or null when it can: it needs to be
 * cross-origin isolated (SharedArrayBuffer), to start Web Workers from a Blob URL, and to be
 * allowed to block (a dedicated worker, not the page's main thread).
 */
export function webThreadsUnavailable(): string | null {
  const g = web();
  if (g.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') {
    return 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so there is no SharedArrayBuffer';
  }
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    return 'this context cannot start Web Workers from a Blob URL';
  }
  if (!canBlock()) {
    return "this is a page's main thread, which must not block in Atomics.wait; run the training in a dedicated Worker to use threads";
  }
  return null;
}

/** Logical processors the browser reports (`navigator.hardwareConcurrency`), at least 1. */
export function webHardwareThreads(): number {
  const count = web().navigator?.hardwareConcurrency;
  return typeof count === 'number' && count >= 1 ? Math.floor(count) : 1;
}

/** Blob URLs of helper sources, one per source text (a few per page; kept for the page's life). */
const scriptUrls = new Map<string, string>();

/**
 * Starts a Web Worker running `source` (a classic script) from a Blob URL, so that a bundled
 * page needs no worker file of its own. The URL is kept, never revoked: a worker created by a
 * thread that then computes without yielding fetches its script only once that thread yields.
 */
export function startWebWorker(source: string, name: string): WebWorker {
  const g = web();
  let url = scriptUrls.get(source);
  if (url === undefined) {
    url = g.URL!.createObjectURL!(new g.Blob!([source], { type: 'text/javascript' }));
    scriptUrls.set(source, url);
  }
  return new g.Worker!(url, { name });
}
