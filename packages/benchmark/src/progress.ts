import * as cliProgress from 'cli-progress';
import type { BenchJob, JobResult } from './jobs/job';
import type { PoolEvent } from './jobs/pool';
import { formatNumber } from './report/tables';

/** Where progress goes: stderr, with `isTTY` deciding between bars and plain lines. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Receives the pool's events and shows them; `log` prints a line; `stop` ends the display. */
export interface ProgressView {
  onEvent(e: PoolEvent): void;
  log(line: string): void;
  stop(): void;
}

function describeJob(job: BenchJob): string {
  return job.kind === 'train' ? `${job.id}` : job.kind === 'scaling' ? `scaling/${job.model}` : `gradient-flow/${job.model}`;
}

function describeResult(result: JobResult, seconds: number): string {
  if (result.kind === 'failed') return `FAILED ${result.id}: ${result.error.split('\n')[0]}`;
  if (result.kind === 'train') {
    const solved = result.stepsToSolve !== null ? `solved at step ${result.stepsToSolve}` : `not solved in ${result.steps} steps`;
    return `done ${result.id}: test ${formatNumber(result.test)}, ${solved}, ${formatNumber(result.msPerStep, 3)} ms/step (${seconds.toFixed(1)} s)${result.error ? `; ${result.error.split('\n')[0]}` : ''}`;
  }
  if (result.kind === 'scaling') return `done ${result.id}: time exponent ${result.timeFit.exponent.toFixed(2)}, memory exponent ${result.memoryFit.exponent.toFixed(2)} (${seconds.toFixed(1)} s)`;
  return `done ${result.id}: gradient ratio t=0 / t=T-1 ${formatNumber(result.curve.ratioFirstToLast, 3)} (${seconds.toFixed(1)} s)`;
}

function progressLine(job: BenchJob, step: number, of: number, loss?: number, valid?: number): string {
  const parts = [`${describeJob(job)} step ${step}/${of}`];
  if (loss !== undefined) parts.push(`loss ${formatNumber(loss)}`);
  if (valid !== undefined) parts.push(`valid ${formatNumber(valid)}`);
  return parts.join(' ');
}

/** Plain lines: one when a job starts, after each validation, and when it ends. */
class LineView implements ProgressView {
  private readonly started = new Map<string, number>();
  constructor(private readonly stream: ProgressStream, private readonly total: number, private done = 0) {}

  onEvent(e: PoolEvent): void {
    if (e.type === 'start') {
      this.started.set(e.job.id, performance.now());
      this.log(`[${this.done}/${this.total}] start ${describeJob(e.job)}`);
    } else if (e.type === 'progress') {
      const p = e.progress;
      if (p.eval || e.job.kind === 'scaling') this.log(`  ${progressLine(e.job, p.step, p.of, p.loss, p.valid)}`);
    } else {
      this.done++;
      const seconds = (performance.now() - (this.started.get(e.job.id) ?? performance.now())) / 1000;
      this.log(`[${this.done}/${this.total}] ${describeResult(e.result, seconds)}`);
    }
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}
}

/** Progress bars (cli-progress): one for the suite, one per running job. */
class BarView implements ProgressView {
  private readonly multi: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly started = new Map<string, number>();
  constructor(stream: ProgressStream, total: number, private done = 0) {
    this.multi = new cliProgress.MultiBar(
      { stream: stream as NodeJS.WritableStream, format: '{name} |{bar}| {value}/{total} {info}', hideCursor: true, clearOnComplete: false, barsize: 24, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multi.create(total, done, { name: 'suite'.padEnd(34), info: 'jobs' });
  }

  onEvent(e: PoolEvent): void {
    if (e.type === 'start') {
      this.started.set(e.job.id, performance.now());
      const of = e.job.kind === 'train' ? e.job.maxSteps : e.job.kind === 'scaling' ? e.job.lengths.length : 1;
      this.bars.set(e.job.id, this.multi.create(of, 0, { name: describeJob(e.job).slice(0, 34).padEnd(34), info: '' }));
    } else if (e.type === 'progress') {
      const p = e.progress;
      const info = [p.loss !== undefined ? `loss ${formatNumber(p.loss)}` : '', p.valid !== undefined ? `valid ${formatNumber(p.valid)}` : ''].filter(Boolean).join(' ');
      this.bars.get(e.job.id)?.update(p.step, { info });
    } else {
      const bar = this.bars.get(e.job.id);
      if (bar) {
        bar.stop();
        this.multi.remove(bar);
      }
      this.done++;
      this.overall.update(this.done);
      const seconds = (performance.now() - (this.started.get(e.job.id) ?? performance.now())) / 1000;
      this.log(describeResult(e.result, seconds));
    }
  }

  log(line: string): void {
    this.multi.log(`${line}\n`);
  }

  stop(): void {
    this.multi.stop();
  }
}

/**
 * Progress on `stream`: cli-progress bars when it is a TTY, else plain lines (task, model,
 * seed, step, loss, validation metric). `done`: jobs already done (a resumed run), counted from.
 *
 * @example const view = createProgressView(process.stderr, jobs.length); runJobs(jobs, opts, (e) => view.onEvent(e));
 */
export function createProgressView(stream: ProgressStream, total: number, done = 0): ProgressView {
  return stream.isTTY ? new BarView(stream, total, done) : new LineView(stream, total, done);
}
