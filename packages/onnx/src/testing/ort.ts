import { execFileSync } from 'child_process';
import * as path from 'path';

/** A tensor fed to or read from ONNX Runtime. */
export interface OrtValue {
  type: 'float32' | 'float64' | 'int32' | 'int64' | 'bool';
  dims: number[];
  data: number[];
}

/** What a model gave for each set of feeds, and its input and output names. */
export interface OrtResult {
  inputNames: string[];
  outputNames: string[];
  runs: Record<string, OrtValue>[];
}

/** A model and the feeds to run it on. */
export interface OrtJob {
  model: Uint8Array;
  runs: Record<string, OrtValue>[];
}

/**
 * Loads each model into ONNX Runtime (onnxruntime-node, `InferenceSession.create(bytes)`), all
 * in one child process, and runs it on each set of feeds. A model that does not load or run
 * gives `{ error }` (ONNX Runtime's message) in its place.
 */
export function runOnnxJobs(jobs: OrtJob[]): (OrtResult | { error: string })[] {
  const request = JSON.stringify({ models: jobs.map((job) => ({ model: Buffer.from(job.model).toString('base64'), runs: job.runs })) });
  const stdout = execFileSync(process.execPath, [path.join(__dirname, 'run-onnx.cjs')], { input: request, maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(stdout.toString('utf8'));
}

/** One model in ONNX Runtime (see {@link runOnnxJobs}); throws with ONNX Runtime's message when it does not load or run. */
export function runOnnx(model: Uint8Array, runs: Record<string, OrtValue>[]): OrtResult {
  const [reply] = runOnnxJobs([{ model, runs }]);
  if ('error' in reply) throw new Error(`ONNX Runtime: ${reply.error}`);
  return reply;
}

/** A float32 feed from plain numbers. */
export function f32(data: ArrayLike<number>, dims: number[]): OrtValue {
  return { type: 'float32', dims, data: Array.from(data) };
}

/** The largest absolute difference between two arrays of the same length (Infinity when the lengths differ or a value is NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}
