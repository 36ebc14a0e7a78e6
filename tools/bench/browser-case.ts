/**
 * A bench worker's side of one case: builds the workload with the `cells` bench's factories,
 * times it (browser-timing.ts) and answers the page with `{ result }` or `{ error }`.
 */
import type { InferenceFactory, TrainingFactory, Workload } from './cells-workload';
import type { BrowserCaseResult, BrowserCaseSpec } from './browser-config';
import { timeInPage } from './browser-timing';

/** What a worker provides: its setup for the case's threads, its factories, and a note on the path. */
export interface BrowserSide {
  setup(spec: BrowserCaseSpec): Promise<void>;
  training: TrainingFactory;
  inference: InferenceFactory;
  /** Added to the workload's description after the run (threads really used, helper work). */
  pathNote(spec: BrowserCaseSpec): Promise<string>;
}

export async function runBrowserCase(spec: BrowserCaseSpec, side: BrowserSide): Promise<BrowserCaseResult> {
  await side.setup(spec);
  const workload: Workload = spec.mode === 'train'
    ? await side.training(spec.cell, spec.size, spec.seed)
    : await side.inference(spec.size, spec.chunk, spec.seed);
  try {
    const timing = await timeInPage(workload, spec.plan);
    const steps = workload.stepsPerIteration;
    const loss = workload.lastLoss();
    return {
      impl: spec.impl,
      threads: spec.threads,
      cell: spec.cell,
      mode: spec.mode,
      stepsPerSecond: steps / timing.median,
      bestStepsPerSecond: steps / timing.best,
      secondsPerIteration: timing.median,
      iterations: timing.iterations,
      stepsPerIteration: steps,
      path: `${workload.describe()} ${await side.pathNote(spec)}`.trim(),
      ...(loss === undefined ? {} : { loss }),
    };
  } finally {
    workload.dispose();
  }
}

/** Answers the page's one message (a case) with `{ result }` or `{ error }`. */
export function serveBrowserCase(side: BrowserSide): void {
  const scope = globalThis as unknown as { onmessage: ((e: { data: BrowserCaseSpec }) => void) | null; postMessage(m: unknown): void };
  scope.onmessage = (event) => {
    runBrowserCase(event.data, side).then(
      (result) => scope.postMessage({ result }),
      (err: unknown) => scope.postMessage({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  };
}
