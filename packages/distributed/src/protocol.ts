import { checkDefinition, formatProblems, PipelineDefinition, TrialResult } from '@loopflow/pipeline';
import { BenchJob, JobProgress, JobResult, MODEL_KINDS } from '@loopflow/benchmark';
import type { TrialProgress } from '@loopflow/pipeline';
import { DistributedError } from './errors';
import { loopflowVersion } from './version';

/** The BullMQ queue every loopflow job goes through (one per Redis database). */
export const QUEUE_NAME = 'loopflow';

/** BullMQ job names: a search trial, a comparison job. */
export const TRIAL_JOB = 'trial';
export const COMPARE_JOB = 'compare';

/**
 * A search trial as a job: plain data, never code. The definition is the trial's own
 * (validated by the submitter, validated again by the worker); `values` are the parameter
 * values it was made with.
 */
export interface TrialJobData {
  format: 'loopflow.trial/1';
  /** The submitter's loopflow version: a worker of another version refuses the job. */
  version: string;
  /** The search id (the search folder's name). */
  runId: string;
  index: number;
  values: Record<string, unknown>;
  definition: PipelineDefinition;
  /** The definition's folder on the submitter (relative data paths are read from it: share it, or use dataset stages). */
  baseDir: string;
  metric: string;
  /** The shared folder for the trial's run folder (`<artifacts>/<runId>/trial-NNN`); absent: results return through Redis. */
  artifacts?: string;
}

/** A comparison job as a queue job. */
export interface CompareJobData {
  format: 'loopflow.compare-job/1';
  version: string;
  /** The comparison's run id (its run folder's name). */
  runId: string;
  job: BenchJob;
}

/** A file of a trial's run folder that travels back through Redis. */
export interface ReturnedFile {
  /** Relative to the run folder, `/`-separated. */
  path: string;
  base64: string;
}

/** What a worker returns for a trial. */
export interface TrialJobReturn {
  result: TrialResult;
  /** The run folder's files when there is no shared artifacts folder. */
  files?: ReturnedFile[];
  /** Files too large to travel back (left out; the trial's metrics are in `result`). */
  leftOut?: { path: string; bytes: number }[];
  /** `host:pid` of the worker that ran it. */
  worker: string;
}

/** What a worker returns for a comparison job. */
export interface CompareJobReturn {
  result: JobResult;
  worker: string;
}

/** What a worker reports while it runs a job (BullMQ progress). */
export type JobProgressData = TrialProgress | JobProgress;

/** A BullMQ job id (no `:` allowed): `<runId>.<name>`. */
export function jobId(runId: string, name: string): string {
  return `${runId}.${name}`.replace(/:/g, '_');
}

/** The job id of trial `index` of search `runId`. */
export function trialJobId(runId: string, index: number): string {
  return jobId(runId, `trial-${String(index).padStart(3, '0')}`);
}

function invalid(what: string, id: string | undefined): never {
  throw new DistributedError('JOB_INVALID', `job ${id ?? '?'} is not a valid loopflow job: ${what}; it was not made by loopflow's --queue submitter (or by another version): nothing was run`);
}

/** True for plain JSON data: null, booleans, finite numbers, strings, arrays and plain objects of those. */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    return (proto === Object.prototype || proto === null) && Object.values(value as object).every((v) => isPlainData(v, depth + 1));
  }
  return false;
}

/**
 * Refuses a job of another loopflow version (`JOB_VERSION`), naming both versions and what to
 * do. `worker` names this worker (`host:pid`).
 */
export function checkVersion(data: { version?: unknown }, id: string | undefined, worker: string): void {
  const version = loopflowVersion();
  if (data.version !== version) {
    throw new DistributedError(
      'JOB_VERSION',
      `job ${id ?? '?'} was submitted by loopflow ${typeof data.version === 'string' ? data.version : '(no version)'}, but worker ${worker} runs loopflow ${version}; refused, nothing run: run workers of the submitter's version (or submit from ${version})`,
    );
  }
}

/**
 * Checks a trial job's data on the worker: its shape, plain data only, the version, and the
 * trial's definition validated again with this worker's stage registry (no search block, stage
 * names only through the registry: a definition never runs code it names).
 */
export function checkTrialJob(data: unknown, id: string | undefined, worker: string): TrialJobData {
  if (!data || typeof data !== 'object') invalid('its data is not an object', id);
  const d = data as Partial<TrialJobData>;
  if (d.format !== 'loopflow.trial/1') invalid(`format ${JSON.stringify(d.format)}, expected "loopflow.trial/1"`, id);
  checkVersion(d, id, worker);
  if (!isPlainData(data)) invalid('it holds something other than plain JSON data', id);
  if (typeof d.runId !== 'string' || !/^[\w.=-]+$/.test(d.runId)) invalid('runId is not a folder name', id);
  if (!Number.isInteger(d.index) || (d.index as number) < 0) invalid('index is not a whole number >= 0', id);
  if (!d.values || typeof d.values !== 'object' || Array.isArray(d.values)) invalid('values is not an object', id);
  if (typeof d.baseDir !== 'string' || typeof d.metric !== 'string') invalid('baseDir or metric is not a string', id);
  if (d.artifacts !== undefined && typeof d.artifacts !== 'string') invalid('artifacts is not a folder', id);
  if (!d.definition || typeof d.definition !== 'object') invalid('it has no definition', id);
  const definition = d.definition as PipelineDefinition;
  if (definition.search !== undefined) invalid("the trial's definition has a search block (a trial's never has)", id);
  const { problems } = checkDefinition(definition, { baseDir: d.baseDir as string, checkSearch: false });
  if (problems.length > 0) {
    throw new DistributedError('JOB_INVALID', `trial ${d.index} (job ${id}): its definition does not validate on worker ${worker}; nothing was run:\n${formatProblems(problems)}`);
  }
  return d as TrialJobData;
}

/** Checks a comparison job's data on the worker: shape, plain data, version, a known job kind and model. */
export function checkCompareJob(data: unknown, id: string | undefined, worker: string): CompareJobData {
  if (!data || typeof data !== 'object') invalid('its data is not an object', id);
  const d = data as Partial<CompareJobData>;
  if (d.format !== 'loopflow.compare-job/1') invalid(`format ${JSON.stringify(d.format)}, expected "loopflow.compare-job/1"`, id);
  checkVersion(d, id, worker);
  if (!isPlainData(data)) invalid('it holds something other than plain JSON data', id);
  if (typeof d.runId !== 'string') invalid('runId is not a string', id);
  const job = d.job as Partial<BenchJob> | undefined;
  if (!job || typeof job !== 'object') invalid('it has no job', id);
  if (job.kind !== 'train' && job.kind !== 'scaling' && job.kind !== 'gradient-flow') invalid(`job kind ${JSON.stringify(job.kind)}, expected train, scaling or gradient-flow`, id);
  if (typeof job.id !== 'string') invalid('the job has no id', id);
  if (!(MODEL_KINDS as readonly string[]).includes(job.model as string)) invalid(`model ${JSON.stringify(job.model)}, expected one of ${MODEL_KINDS.join(', ')}`, id);
  return d as CompareJobData;
}
