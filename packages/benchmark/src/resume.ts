import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { fail } from './errors';
import { checkModelKinds, checkTaskNames, ModelKind, TaskName } from './names';
import type { JobResult } from './jobs/job';
import type { SuitePlan } from './plan';
import type { SuiteName } from './suite';
import { writeFileAtomic } from './write-files';

/** The format string of run.json. */
export const RUN_FORMAT = 'loopflow.compare-run/1';

/** `run.json` of a run folder: the resolved suite choice, written at the start of every run; what `--resume` reads. */
export interface RunManifest {
  format: typeof RUN_FORMAT;
  suite: SuiteName;
  seeds: number;
  tasks: TaskName[];
  models: ModelKind[];
  /** When the run (its first session, when resumed) began. */
  startedAt: string;
  /** Jobs of the plan. */
  jobs: number;
  /** sha256 of every job of the plan: a suite definition changed since makes `--resume` refuse. */
  planHash: string;
}

/** The jobs of a plan, in a stable order, hashed. */
export function planHash(plan: SuitePlan): string {
  return createHash('sha256').update(JSON.stringify([...plan.measurements, ...plan.training])).digest('hex');
}

/** The manifest of a plan. */
export function runManifest(plan: SuitePlan, startedAt: string): RunManifest {
  const { config } = plan;
  return { format: RUN_FORMAT, suite: config.name, seeds: config.seeds, tasks: [...config.taskOrder], models: [...config.models], startedAt, jobs: plan.measurements.length + plan.training.length, planHash: planHash(plan) };
}

/** Writes `dir/run.json` atomically. */
export function writeRunManifest(dir: string, manifest: RunManifest): void {
  writeFileAtomic(path.join(dir, 'run.json'), `${JSON.stringify(manifest, null, 1)}\n`);
}

/**
 * Reads `dir/run.json`. A missing or unreadable file, or one that is not a run manifest, is a
 * `CANNOT_RESUME` {@link BenchmarkError} saying what to do.
 */
export function readRunManifest(dir: string): RunManifest {
  const file = path.join(dir, 'run.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail('CANNOT_RESUME', `compare --resume: cannot read ${file} (${(e as Error).message.split('\n')[0]}); pass the folder of a run that \`compare\` began (it writes run.json first), or start a new run`);
  }
  let m: Partial<RunManifest>;
  try {
    m = JSON.parse(text) as Partial<RunManifest>;
  } catch (e) {
    fail('CANNOT_RESUME', `compare --resume: ${file} is not valid JSON (${(e as Error).message}); it was not written by \`compare\`: start a new run`);
  }
  const problems: string[] = [];
  if (m.format !== RUN_FORMAT) problems.push(`format ${JSON.stringify(m.format)}, expected "${RUN_FORMAT}"`);
  if (!['quick', 'full', 'tiny'].includes(m.suite as string)) problems.push(`suite ${JSON.stringify(m.suite)}`);
  if (!Number.isInteger(m.seeds) || (m.seeds as number) < 1) problems.push(`seeds ${JSON.stringify(m.seeds)}`);
  if (!Array.isArray(m.tasks) || !Array.isArray(m.models)) problems.push('tasks and models must be lists');
  if (typeof m.planHash !== 'string') problems.push('no planHash');
  if (problems.length > 0) fail('CANNOT_RESUME', `compare --resume: ${file} is not a run manifest of this version (${problems.join('; ')}); start a new run`);
  checkTaskNames(m.tasks as string[], `compare --resume (${file})`);
  checkModelKinds(m.models as string[], `compare --resume (${file})`);
  return m as RunManifest;
}

/**
 * The finished results of `results.jsonl` worth keeping: valid lines, not failed, of a job of
 * the plan (`ids`); the last result of a job wins. A line that is not JSON (the torn last line
 * of a run killed mid-write) and results of jobs not in the plan are left out, each with a `note`.
 */
export function readFinished(file: string, ids: ReadonlySet<string>, note: (line: string) => void): Map<string, JobResult> {
  const kept = new Map<string, JobResult>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    note(`no ${path.basename(file)} in ${path.dirname(file)}: every job runs`);
    return kept;
  }
  const lines = text.split('\n');
  let foreign = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let result: JobResult;
    try {
      result = JSON.parse(line) as JobResult;
    } catch {
      note(`${path.basename(file)} line ${i + 1} is not a whole result (${i === lines.length - 1 ? 'cut short when the run was stopped' : 'damaged'}); ignored, its job runs again`);
      return;
    }
    if (typeof result !== 'object' || result === null || typeof result.id !== 'string') return;
    if (!ids.has(result.id)) foreign++;
    else if (result.kind === 'failed') kept.delete(result.id);
    else kept.set(result.id, result);
  });
  if (foreign > 0) note(`${foreign} result(s) in ${path.basename(file)} are of jobs not in this plan; ignored`);
  return kept;
}
