import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { getBackendName } from '@loopflow/tensor';
import type { CompareOptions } from './args';
import { ARCHITECTURES } from './models/architecture';
import { MODEL_LABELS } from './names';
import { BenchJob, JobResult } from './jobs/job';
import { localJobRunner } from './jobs/runner';
import { planSuite, resolveSuite } from './plan';
import { createProgressView, ProgressStream } from './progress';
import { groupRows, summarize } from './report/aggregate';
import { renderHtml } from './report/html';
import { reportPlots } from './report/plots';
import { compareWithPublished } from './report/published';
import { markdownTable, renderMarkdown } from './report/markdown';
import { summaryTable } from './report/tables';
import type { CompareReport } from './report/types';
import type { FailedJob } from './jobs/job';
import type { ScalingResult } from './scaling/scaling-run';
import type { FlowResult } from './training/flow-run';
import type { TrainResult } from './training/train-run';
import { runFolderName, writeFileAtomic } from './write-files';
import { CompareInterrupted, fail } from './errors';
import { planHash, readFinished, readRunManifest, runManifest, writeRunManifest } from './resume';

/** Where `runCompare` writes: progress to `stderr` (bars on a TTY), the summary table and file names to `stdout`. */
export interface CompareIO {
  stderr: ProgressStream;
  stdout?: { write(chunk: string): unknown };
}

/** What `runCompare` returns: the run folder, its files and the report written to results.json. */
export interface CompareOutcome {
  outDir: string;
  files: { json: string; markdown: string; html: string; jsonl: string };
  report: CompareReport;
}

/**
 * Runs the RNN / LSTM / GRU / IndRNN / transformer comparison and writes its report:
 * `report.md`, `report.html` (plots as inline SVG), `results.json` (everything, format
 * 'loopflow.compare/1') and `results.jsonl` (each job's result as it finished) in
 * `options.out` (default `runs/compare-<suite>-<time>`). Phase 1 measures scaling one job at
 * a time; phase 2 trains every task setting, model and seed and draws the gradient-flow
 * curves, `parallel` at a time, each in a worker process of its own. Progress goes to `io.stderr`.
 * Failed jobs are reported, not thrown; the promise rejects only on bad options, when the
 * folder cannot be written, or when `options.signal` stops the run (a `CompareInterrupted`).
 *
 * Every run first writes `run.json` (the resolved suite choice and a hash of its plan);
 * `options.resume` continues the run of a folder: the suite choice from its run.json, the
 * finished results in its results.jsonl kept, the other jobs run, the report over them all.
 *
 * @example
 * const { outDir, report } = await runCompare({ suite: 'quick', out: '/tmp/compare-quick' }, { stderr: process.stderr, stdout: process.stdout });
 * report.published.map((c) => c.verdict);
 */
export async function runCompare(options: CompareOptions = {}, io: CompareIO = { stderr: process.stderr, stdout: process.stdout }): Promise<CompareOutcome> {
  if (options.rerender !== undefined) return rerenderReport(options.rerender, io);
  const started = new Date();
  const loadAverageStart = os.loadavg();
  // --resume: the suite choice comes from the folder's run.json, never from the options
  const previous = options.resume !== undefined ? readRunManifest(path.resolve(options.resume)) : undefined;
  if (previous) options = { ...options, suite: previous.suite, seeds: previous.seeds, tasks: previous.tasks, models: previous.models, out: options.resume };
  const config = resolveSuite(options);
  const isolation = options.isolation ?? 'process';
  const outDir = path.resolve(options.out ?? path.join('runs', runFolderName(config.name, started)));
  const files = runFiles(outDir);
  const plan = planSuite(config);
  const allJobs = [...plan.measurements, ...plan.training];
  const total = allJobs.length;
  const notes: string[] = [];
  let kept = new Map<string, JobResult>();
  if (previous) {
    if (previous.planHash !== planHash(plan) || previous.jobs !== total) {
      fail('RESUME_MISMATCH', `compare --resume: ${outDir} holds a run planned differently (${previous.suite} suite, ${previous.jobs} jobs, begun ${previous.startedAt}) from what this version plans for the same choice (${total} jobs): the suite's definition changed, and its results cannot be mixed with new ones; start a new run (or resume with the version that began it)`);
    }
    kept = readFinished(files.jsonl, new Set(allJobs.map((j) => j.id)), (line) => notes.push(line));
    // only whole, kept results stay (a torn last line would swallow the next one appended)
    writeFileAtomic(files.jsonl, [...kept.values()].map((r) => `${JSON.stringify(r)}\n`).join(''));
  } else {
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(files.jsonl, '');
  }
  writeRunManifest(outDir, runManifest(plan, previous?.startedAt ?? started.toISOString()));

  const todo = (jobs: readonly BenchJob[]): BenchJob[] => jobs.filter((j) => !kept.has(j.id));
  const remaining = total - kept.size;
  const runner = options.runner ? await options.runner({ outDir, jobs: remaining }) : localJobRunner;
  const parallel = options.parallel ?? runner.parallel ?? Math.max(1, Math.min(2, os.cpus().length));
  const view = createProgressView(io.stderr, total, kept.size);
  view.log(`loopflow compare: ${config.name} suite, ${config.models.join(', ')} on ${config.taskOrder.join(', ')}; ${config.seeds} seed(s); ${total} jobs (${plan.training.length} training runs, ${parallel} at a time, ${isolation}${runner === localJobRunner ? '' : `, ${runner.where}`}); writing to ${outDir}`);
  for (const line of notes) view.log(`  note: ${line}`);
  if (previous) view.log(`resuming the run begun ${previous.startedAt}: ${kept.size} of ${total} jobs already done (kept from results.jsonl), ${remaining} to run`);

  // Ctrl-C (options.signal): stop the runner's workers; the finished results stay in results.jsonl
  let finishedJobs = kept.size;
  let stopped = false;
  let stopListening = (): void => undefined;
  const interrupted = new Promise<never>((_, reject) => {
    const onAbort = (): void => {
      stopped = true;
      reject(new CompareInterrupted(finishedJobs, total, outDir, files.jsonl));
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    stopListening = () => options.signal?.removeEventListener('abort', onAbort);
  });
  interrupted.catch(() => undefined);
  const onEvent = (e: Parameters<typeof view.onEvent>[0]): void => {
    if (stopped) return; // jobs stopped by the interrupt: not results
    if (e.type === 'end') {
      fs.appendFileSync(files.jsonl, `${JSON.stringify(e.result)}\n`);
      if (e.result.kind !== 'failed') finishedJobs++;
    }
    view.onEvent(e);
  };
  const byId = new Map(kept);
  let finished = false;
  try {
    // Scaling measurements one at a time on one thread (clean timings, no thread hand-offs
    // inside a step); then training runs `parallel` at a time, sharing the cores between them,
    // with the gradient-flow curves (no timings in them) after them, filling the lanes' ends.
    const scaling = plan.measurements.filter((j) => j.kind === 'scaling');
    const flows = plan.measurements.filter((j) => j.kind !== 'scaling');
    const phases = [
      { jobs: todo(scaling), options: { parallel: 1, isolation, threadsPerJob: 1, signal: options.signal } },
      { jobs: todo([...plan.training, ...flows]), options: { parallel, isolation, threadsPerJob: Math.max(1, Math.floor(os.cpus().length / parallel)), signal: options.signal } },
    ];
    for (const phase of phases) {
      if (phase.jobs.length === 0) continue;
      const done = await Promise.race([runner.runJobs(phase.jobs, phase.options, onEvent), interrupted]);
      phase.jobs.forEach((job, i) => byId.set(job.id, done[i]));
    }
    if (stopped) await interrupted;
    finished = true;
  } finally {
    stopListening();
    view.stop();
    if (!finished) await runner.close(false);
  }
  // in the order an uninterrupted run gives them
  const order = [...plan.measurements.filter((j) => j.kind === 'scaling'), ...plan.training, ...plan.measurements.filter((j) => j.kind !== 'scaling')];
  const results: JobResult[] = order.map((job) => byId.get(job.id)!);

  const runs = results.filter((r): r is TrainResult => r.kind === 'train');
  const scaling = results.filter((r): r is ScalingResult => r.kind === 'scaling');
  const flows = results.filter((r): r is FlowResult => r.kind === 'gradient-flow').map((r) => r.curve);
  const failed = results.filter((r): r is FailedJob => r.kind === 'failed');
  const summary = summarize(runs, plan.tasks, config.models);
  const groups = groupRows(runs, config.models);
  const gradientFlow = [...flows, ...runs.filter((r) => r.flowAfter).map((r) => r.flowAfter!)];
  const finishedAt = new Date();
  const report: CompareReport = {
    format: 'loopflow.compare/1',
    suite: config.name,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - started.getTime()) / 1000,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      backend: getBackendName(),
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
      parallel,
      isolation,
      ...(runner === localJobRunner ? {} : { runner: runner.where }),
    },
    config,
    models: config.models.map((kind) => ({ kind, label: MODEL_LABELS[kind], notes: ARCHITECTURES[kind].notes })),
    tasks: plan.tasks,
    summary,
    groups,
    scaling,
    gradientFlow,
    published: compareWithPublished({ summary, groups, scaling, gradientFlow }),
    skipped: plan.skipped,
    failed,
    runs: [...runs].sort((a, b) => a.id.localeCompare(b.id)),
    ...(previous ? { resumed: { firstStartedAt: previous.startedAt, jobsKept: kept.size } } : {}),
  };
  await writeReport(report, files);
  await runner.close(true);
  io.stdout?.write(`${markdownTable(summaryTable(report))}\n\n${report.published.map((c) => `${c.verdict}: ${c.claim}`).join('\n')}\n\nWrote ${files.markdown}, ${files.html} and ${files.json} (${report.wallSeconds.toFixed(0)} s)${failed.length > 0 ? `; ${failed.length} job(s) failed, listed in the report` : ''}\n`);
  return { outDir, files, report };
}

/** The files of a run folder. */
function runFiles(outDir: string): CompareOutcome['files'] {
  return {
    json: path.join(outDir, 'results.json'),
    markdown: path.join(outDir, 'report.md'),
    html: path.join(outDir, 'report.html'),
    jsonl: path.join(outDir, 'results.jsonl'),
  };
}

/** Writes results.json, report.md and report.html (each atomically). */
async function writeReport(report: CompareReport, files: CompareOutcome['files']): Promise<void> {
  writeFileAtomic(files.json, `${JSON.stringify(report, null, 1)}\n`);
  writeFileAtomic(files.markdown, renderMarkdown(report));
  writeFileAtomic(files.html, await renderHtml(report, reportPlots(report)));
}

/**
 * `--rerender dir`: reads `dir/results.json` of an earlier run, recomputes `published` (the
 * comparison with published results) by the current rules and rewrites results.json, report.md
 * and report.html. Trains nothing; every measured number stays as it was.
 */
async function rerenderReport(dir: string, io: CompareIO): Promise<CompareOutcome> {
  const outDir = path.resolve(dir);
  const files = runFiles(outDir);
  let text: string;
  try {
    text = fs.readFileSync(files.json, 'utf8');
  } catch (e) {
    fail('INVALID_ARGUMENT', `compare --rerender: cannot read ${files.json} (${(e as Error).message}); pass the folder of an earlier run (the one holding results.json)`);
  }
  let report: CompareReport;
  try {
    report = JSON.parse(text) as CompareReport;
  } catch (e) {
    fail('INVALID_ARGUMENT', `compare --rerender: ${files.json} is not valid JSON (${(e as Error).message}); it may have been cut short: rerun the suite`);
  }
  const missing = ['summary', 'groups', 'scaling', 'gradientFlow', 'runs', 'tasks'].filter((k) => !Array.isArray((report as unknown as Record<string, unknown>)[k]));
  if (report.format !== 'loopflow.compare/1' || missing.length > 0) {
    fail('INVALID_ARGUMENT', `compare --rerender: ${files.json} is not a loopflow.compare/1 result (format ${JSON.stringify(report.format)}${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}); pass the folder a \`loopflow compare\` run wrote`);
  }
  report = { ...report, published: compareWithPublished({ summary: report.summary, groups: report.groups, scaling: report.scaling, gradientFlow: report.gradientFlow }) };
  await writeReport(report, files);
  io.stdout?.write(`${report.published.map((c) => `${c.verdict}: ${c.claim}`).join('\n')}\n\nRewrote ${files.markdown}, ${files.html} and ${files.json} from the results of ${report.startedAt}\n`);
  return { outDir, files, report };
}
