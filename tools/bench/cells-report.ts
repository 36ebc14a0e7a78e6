/**
 * The `cells` bench's output: ratios between implementations measured in the same run, the
 * JSON lines, the human-readable table and the comparison with the issue's targets.
 */
import type { CaseResult, CellName, ImplName, ModeName, ResultLine, Target } from './cells-config';
import { TARGETS } from './cells-config';

function find(results: readonly CaseResult[], impl: ImplName, cell: CellName, mode: ModeName): CaseResult | undefined {
  return results.find((r) => r.impl === impl && r.cell === cell && r.mode === mode);
}

/** `result`'s throughput over `impl`'s for the same cell and mode, or undefined if that was not measured. */
export function ratioTo(results: readonly CaseResult[], result: CaseResult, impl: ImplName): number | undefined {
  const other = find(results, impl, result.cell, result.mode);
  return other ? result.stepsPerSecond / other.stepsPerSecond : undefined;
}

/** How a target came out: the measured ratio (undefined when a side was not measured). */
export interface TargetOutcome {
  target: Target;
  /** Which tfjs backend the ratio is against (the faster one for 'faster-tfjs'). */
  against?: ImplName;
  ratio?: number;
  /** The same ratio from steps per CPU second (see `CaseResult.stepsPerCpuSecond`): a second opinion under load. */
  cpuRatio?: number;
  met?: boolean;
}

/** Every target whose cell and mode any implementation ran, with its measured ratio (if both sides ran). */
export function targetOutcomes(results: readonly CaseResult[]): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  for (const target of TARGETS) {
    if (!results.some((r) => r.cell === target.cell && r.mode === target.mode)) continue;
    const ours = find(results, 'loopflow', target.cell, target.mode);
    if (!ours) {
      outcomes.push({ target });
      continue;
    }
    let against: CaseResult | undefined;
    if (target.against === 'faster-tfjs') {
      const candidates = (['tfjs-wasm', 'tfjs-cpu'] as const).map((i) => find(results, i, target.cell, target.mode)).filter((r): r is CaseResult => r !== undefined);
      against = candidates.sort((a, b) => b.stepsPerSecond - a.stepsPerSecond)[0];
    } else {
      against = find(results, target.against, target.cell, target.mode);
    }
    if (!against) {
      outcomes.push({ target });
      continue;
    }
    const ratio = ours.stepsPerSecond / against.stepsPerSecond;
    const cpuRatio = ours.stepsPerCpuSecond / against.stepsPerCpuSecond;
    outcomes.push({ target, against: against.impl, ratio, cpuRatio, met: ratio >= target.ratio });
  }
  return outcomes;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function describeTarget(t: Target): string {
  return `${t.ratio}x ${t.against === 'faster-tfjs' ? 'the faster tfjs backend' : t.against}`;
}

/** The JSON line of each result; loopflow's lines carry their targets and whether all were met (unless not `judged`: another size than the targets'). */
export function resultLines(results: readonly CaseResult[], judged = true): ResultLine[] {
  const outcomes = targetOutcomes(results);
  return results.map((r) => {
    const line: ResultLine = {
      bench: 'cells',
      impl: r.impl,
      cell: r.cell,
      mode: r.mode,
      steps_per_s: Math.round(r.stepsPerSecond),
      peak_rss_mb: Math.round(r.peakRssMb),
      best_steps_per_s: Math.round(r.bestStepsPerSecond),
      ms_per_iter: round(r.secondsPerIteration * 1000, 3),
      iterations: r.iterations,
      steps_per_iter: r.stepsPerIteration,
      cpu_per_wall: round(r.cpuPerWall, 2),
      steps_per_cpu_s: Math.round(r.stepsPerCpuSecond),
      path: r.path,
    };
    if (r.loss !== undefined) line.loss = round(r.loss, 4);
    const vsWasm = ratioTo(results, r, 'tfjs-wasm');
    const vsCpu = ratioTo(results, r, 'tfjs-cpu');
    if (vsWasm !== undefined && r.impl !== 'tfjs-wasm') line.vs_tfjs_wasm = round(vsWasm, 2);
    if (vsCpu !== undefined && r.impl !== 'tfjs-cpu') line.vs_tfjs_cpu = round(vsCpu, 2);
    if (r.impl === 'loopflow' && judged) {
      const mine = outcomes.filter((o) => o.target.cell === r.cell && o.target.mode === r.mode);
      if (mine.length > 0) {
        line.target = mine.map((o) => describeTarget(o.target)).join('; ');
        if (mine.every((o) => o.met !== undefined)) line.target_met = mine.every((o) => o.met);
      }
    }
    return line;
  });
}

function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ratioText(value: number | undefined): string {
  return value === undefined ? '-' : `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}x`;
}

/** The results as a table: impl x cell x mode, steps/s (median and best iteration), ratios, peak RSS, CPU share and CPU throughput, path. */
export function resultTable(results: readonly CaseResult[]): string[] {
  const header = ['impl', 'cell', 'mode', 'steps/s', 'best', 'ms/iter', 'vs tfjs-wasm', 'vs tfjs-cpu', 'peak RSS MB', 'cpu/wall', 'steps/cpu-s', 'path'];
  const rows = results.map((r) => [
    r.impl,
    r.cell,
    r.mode,
    grouped(r.stepsPerSecond),
    grouped(r.bestStepsPerSecond),
    (r.secondsPerIteration * 1000).toFixed(r.secondsPerIteration < 0.01 ? 3 : 1),
    ratioText(r.impl === 'tfjs-wasm' ? undefined : ratioTo(results, r, 'tfjs-wasm')),
    ratioText(r.impl === 'tfjs-cpu' ? undefined : ratioTo(results, r, 'tfjs-cpu')),
    grouped(r.peakRssMb),
    r.cpuPerWall.toFixed(2),
    grouped(r.stepsPerCpuSecond),
    r.path,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const leftAligned = new Set([0, 1, 2, header.length - 1]);
  const format = (row: string[]): string =>
    row.map((cell, c) => (c === row.length - 1 ? cell : leftAligned.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [format(header), ...rows.map(format)];
}

/** One line per target: the measured ratio and PASS / below target (or not measured). */
export function targetLines(results: readonly CaseResult[]): string[] {
  return targetOutcomes(results).map((o) => {
    const what = `${o.target.cell} ${o.target.mode}`.padEnd(15);
    const goal = `>= ${describeTarget(o.target)}`.padEnd(34);
    if (o.ratio === undefined) return `  ${what} ${goal} not measured (loopflow and that tfjs backend must both run)`;
    const against = o.target.against === 'faster-tfjs' ? ` (${o.against})` : '';
    return `  ${what} ${goal} ${`${ratioText(o.ratio)}${against}`.padEnd(18)} ${(o.met ? 'PASS' : 'below target').padEnd(12)}  (by CPU time: ${ratioText(o.cpuRatio)})`;
  });
}

/** Below this CPU share a single-threaded case was visibly slowed by other processes. */
export const LOADED_CPU_SHARE = 0.8;

/**
 * A warning when some case got less than {@link LOADED_CPU_SHARE} of a core while timed
 * (other processes were running): wall-clock ratios are then unreliable. Empty otherwise.
 */
export function loadWarning(results: readonly CaseResult[]): string[] {
  const starved = results.filter((r) => r.cpuPerWall < LOADED_CPU_SHARE);
  if (starved.length === 0) return [];
  const lowest = Math.min(...starved.map((r) => r.cpuPerWall));
  return [
    `warning: ${starved.length} of ${results.length} cases got less than ${LOADED_CPU_SHARE} of a core while timed (lowest ${lowest.toFixed(2)}, column cpu/wall):`,
    '  other processes were running, so steps/s are low and the ratios uncertain; rerun on a quiet machine',
    '  (the CPU-time ratios above are a second opinion: they ignore waiting, but charge loopflow for its helper thread)',
  ];
}
