/**
 * Timing of the `cells` bench: warm up, then time iterations one by one and keep the median
 * and the best (fastest), plus the process's CPU time per wall time over the timed part.
 *
 * The median is the headline figure. The best is not, because iterations differ in length
 * by 100x between implementations (loopflow ~20-100 ms, tfjs-cpu seconds): when other
 * processes load the machine, a short iteration can fall entirely into a quiet moment while
 * a long one always averages over the load, so the best favours the faster implementation.
 */
import type { TimingPlan } from './cells-config';

/** What {@link timeIterations} measured. */
export interface Timing {
  /** Seconds of the fastest timed iteration. */
  best: number;
  /** Median seconds of one timed iteration. */
  median: number;
  /** Timed iterations. */
  iterations: number;
  /** Process CPU seconds (all threads) per wall second over the timed iterations. */
  cpuPerWall: number;
  /** Process CPU seconds per timed iteration, on average (all threads). */
  cpuPerIteration: number;
}

function seconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `iterate` per `plan`: warm-up until both of its minimums are met, then timed
 * iterations until both timing minimums are met or `maxIterations` is reached.
 *
 * @example const t = await timeIterations(() => trainStep(), plan); // t.median seconds
 */
export async function timeIterations(iterate: () => unknown, plan: TimingPlan): Promise<Timing> {
  const warmStart = seconds();
  for (let i = 0; i < plan.warmupIterations || seconds() - warmStart < plan.warmupSeconds; i++) await iterate();

  const times: number[] = [];
  const start = seconds();
  const cpuStart = cpuSeconds();
  while (times.length < plan.maxIterations && (times.length < plan.minIterations || seconds() - start < plan.seconds)) {
    const t = seconds();
    await iterate();
    times.push(seconds() - t);
  }
  const wall = seconds() - start;
  const cpu = cpuSeconds() - cpuStart;
  return { best: Math.min(...times), median: median(times), iterations: times.length, cpuPerWall: cpu / wall, cpuPerIteration: cpu / times.length };
}
