/**
 * The `browser` bench's vocabulary, shared by the Node side (browser.ts) and the page and
 * workers it bundles (browser-page.ts, browser-loopflow-worker.ts, browser-tfjs-worker.ts):
 * what a case is and what it measured. The model, data, timing plans and the two sides'
 * workloads are the `cells` bench's (cells-config.ts, cells-workload.ts, cells-loopflow.ts,
 * cells-tfjs.ts).
 */
import type { ModeName, ModelSize, RecurrentCellName, TimingPlan } from './cells-config';

/** Who runs the model in the page: loopflow (WebAssembly kernels), or TensorFlow.js's WASM backend. */
export type BrowserImpl = 'loopflow' | 'tfjs-wasm';
export const BROWSER_IMPLS: readonly BrowserImpl[] = ['tfjs-wasm', 'loopflow'];

/** One measurement, run in a dedicated Worker of its own in a cross-origin isolated page. */
export interface BrowserCaseSpec {
  impl: BrowserImpl;
  /** Threads the implementation may use (loopflow: `setThreads`; tfjs: its threaded build with `setThreadsCount`, or its single-threaded build for 1). */
  threads: number;
  cell: RecurrentCellName;
  mode: ModeName;
  size: ModelSize;
  plan: TimingPlan;
  /** Streamed steps per iteration (infer-b1). */
  chunk: number;
  seed: number;
}

/** What one case measured (wall time of the worker: `performance.now`). */
export interface BrowserCaseResult {
  impl: BrowserImpl;
  threads: number;
  cell: RecurrentCellName;
  mode: ModeName;
  /** Trained time steps (T * B per iteration), or streamed steps, per second: of the median iteration. */
  stepsPerSecond: number;
  /** The same from the fastest iteration. */
  bestStepsPerSecond: number;
  /** Median seconds of one iteration. */
  secondsPerIteration: number;
  iterations: number;
  stepsPerIteration: number;
  /** Which code path ran (backend, threads, build). */
  path: string;
  /** Last training loss (about ln V on random tokens); absent for inference. */
  loss?: number;
}

/** The target in the browser: loopflow's LSTM training at least 10x TensorFlow.js's better configuration. */
export const BROWSER_TARGET = { cell: 'lstm', mode: 'train', ratio: 10 } as const;
