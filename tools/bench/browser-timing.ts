/**
 * Timing inside a page's worker, as the `cells` bench times in Node (cells-timing.ts): warm up
 * per the plan, then time iterations one by one and keep the median and the best; wall time
 * from `performance.now` (a page has no process CPU time).
 */
import type { TimingPlan } from './cells-config';
import { median } from './cells-timing';
import type { Workload } from './cells-workload';

/** What {@link timeInPage} measured, in seconds. */
export interface PageTiming {
  best: number;
  median: number;
  iterations: number;
}

const seconds = (): number => performance.now() / 1000;

/** Runs `workload` per `plan` (see `TimingPlan`). */
export async function timeInPage(workload: Workload, plan: TimingPlan): Promise<PageTiming> {
  const warmStart = seconds();
  for (let i = 0; i < plan.warmupIterations || seconds() - warmStart < plan.warmupSeconds; i++) await workload.iterate();
  const times: number[] = [];
  const start = seconds();
  while (times.length < plan.maxIterations && (times.length < plan.minIterations || seconds() - start < plan.seconds)) {
    const t = seconds();
    await workload.iterate();
    times.push(seconds() - t);
  }
  return { best: Math.min(...times), median: median(times), iterations: times.length };
}
