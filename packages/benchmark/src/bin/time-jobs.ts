/**
 * `npx ts-node packages/benchmark/src/bin/time-jobs.ts [--quick|--full] [--steps n]
 * [--match regex] [--no-measurements] [--out file.json]`: estimates a suite's wall time from a
 * sample, without running it. Times every measurement job whole (unless `--no-measurements`:
 * then the estimate is of the training phase alone) and seed 0 of each training job matching
 * `--match` (default: all) for `--steps` steps (default 20), in this process, one at a time
 * (run it with LOOPFLOW_THREADS=1: the suite gives each of its 2 workers one thread); then
 * scales each training job to its step limit (set-up + steps x median ms/step + a validation
 * every evalEvery steps + the test) and lays the jobs on the suite's 2 lanes in the suite's
 * order. Jobs that stop when solved are counted at their full step limit, so the estimate is
 * an upper bound of the training phase (worker start-up, about a second a job, is not in it).
 * Writes the timings and the estimate to `--out` (JSON) and prints a summary.
 */
import * as fs from 'fs';
import { runJob } from '../jobs/job';
import { planSuite, resolveSuite } from '../plan';
import type { SuiteName } from '../suite';
import { estimateJobMs, JobTiming, scheduleMs, timeTrainJob } from '../timing/job-timing';

interface Options { suite: SuiteName; steps: number; match: RegExp; out: string | null; measurements: boolean }

function parse(argv: string[]): Options {
  const o: Options = { suite: 'quick', steps: 20, match: /./, out: null, measurements: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick' || a === '--full' || a === '--tiny') o.suite = a.slice(2) as SuiteName;
    else if (a === '--steps') o.steps = Number(argv[++i]);
    else if (a === '--match') o.match = new RegExp(argv[++i]);
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--no-measurements') o.measurements = false;
    else throw Object.assign(new Error(`time-jobs: unknown argument '${a}'; expected --quick | --full | --tiny, --steps n, --match regex, --no-measurements, --out file.json`), { code: 'INVALID_ARGUMENT' });
  }
  if (!(Number.isInteger(o.steps) && o.steps >= 1)) throw Object.assign(new Error(`time-jobs: --steps ${o.steps}; expected a whole number >= 1`), { code: 'INVALID_ARGUMENT' });
  return o;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const config = resolveSuite({ suite: options.suite });
  const plan = planSuite(config);
  const started = new Date();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);

  const measurements: { id: string; wallMs: number }[] = [];
  for (const job of options.measurements ? plan.measurements : []) {
    const t = performance.now();
    await runJob(job, () => {}, false);
    measurements.push({ id: job.id, wallMs: performance.now() - t });
    log(`${job.id}: ${(measurements.at(-1)!.wallMs / 1000).toFixed(1)} s`);
  }

  // One sample per (task setting, model): seed 0 stands for every seed.
  const samples = new Map<string, JobTiming>();
  for (const job of plan.training) {
    if (job.seed !== 0 || !options.match.test(job.id)) continue;
    const timing = await timeTrainJob(job, options.steps);
    samples.set(job.id.replace(/\/seed=\d+$/, ''), timing);
    log(`${timing.id}: ${timing.msPerStep.toFixed(1)} ms/step, validation ${timing.validationMs.toFixed(0)} ms every ${timing.evalEvery}, test ${timing.testMs.toFixed(0)} ms; ${timing.maxSteps} steps ~ ${(estimateJobMs(timing, timing.maxSteps) / 1000).toFixed(0)} s (sample: ${timing.sampledSteps} steps, ${(timing.wallMs / 1000).toFixed(1)} s wall, ${(timing.cpuMs / 1000).toFixed(1)} s CPU)`);
  }

  // On a busy machine a sample gets only part of a core: its CPU time over its wall time says
  // how much, and the load-corrected estimate scales its wall time by that share.
  const jobs = plan.training.map((job) => {
    const timing = samples.get(job.id.replace(/\/seed=\d+$/, ''));
    const estimateMs = timing ? estimateJobMs(timing, job.maxSteps) : null;
    const share = timing ? Math.min(1, timing.cpuMs / timing.wallMs) : null;
    return { id: job.id, model: job.model, estimateMs, loadCorrectedMs: estimateMs !== null && share !== null ? estimateMs * share : null };
  });
  const estimated = jobs.filter((j) => j.estimateMs !== null).map((j) => j.estimateMs!);
  const measurementMs = measurements.reduce((s, m) => s + m.wallMs, 0);
  const trainingMs = scheduleMs(estimated, 2);
  const byModel: Record<string, number> = {};
  for (const j of jobs) if (j.estimateMs !== null) byModel[j.model] = (byModel[j.model] ?? 0) + j.estimateMs;
  const correctedMs = scheduleMs(jobs.filter((j) => j.loadCorrectedMs !== null).map((j) => j.loadCorrectedMs!), 2);
  const correctedByModel: Record<string, number> = {};
  for (const j of jobs) if (j.loadCorrectedMs !== null) correctedByModel[j.model] = (correctedByModel[j.model] ?? 0) + j.loadCorrectedMs;
  const estimate = {
    measurementSeconds: measurementMs / 1000,
    trainingSecondsOn2Lanes: trainingMs / 1000,
    totalMinutes: (measurementMs + trainingMs) / 60000,
    loadCorrectedTrainingSecondsOn2Lanes: correctedMs / 1000,
    trainingJobsEstimated: estimated.length,
    trainingJobsInSuite: plan.training.length,
    cpuSecondsByModel: Object.fromEntries(Object.entries(byModel).map(([k, v]) => [k, Math.round(v / 1000)])),
    loadCorrectedSecondsByModel: Object.fromEntries(Object.entries(correctedByModel).map(([k, v]) => [k, Math.round(v / 1000)])),
  };
  log(`${options.suite} suite, upper bound: measurements ${options.measurements ? `${estimate.measurementSeconds.toFixed(0)} s` : 'not timed (--no-measurements)'} + training ${estimate.trainingSecondsOn2Lanes.toFixed(0)} s on 2 lanes = ${estimate.totalMinutes.toFixed(1)} min (${estimated.length} of ${plan.training.length} training jobs estimated); training corrected for the CPU share the samples got: ${(correctedMs / 1000).toFixed(0)} s`);
  if (options.out) {
    const body = {
      format: 'loopflow.compare-timing/1',
      suite: options.suite,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `time-jobs ${process.argv.slice(2).join(' ')}`,
      threads: process.env.LOOPFLOW_THREADS ?? null,
      loadAverage: (await import('os')).loadavg(),
      measurements,
      samples: [...samples.values()],
      jobs,
      estimate,
    };
    fs.writeFileSync(options.out, `${JSON.stringify(body, null, 1)}\n`);
    log(`wrote ${options.out}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
