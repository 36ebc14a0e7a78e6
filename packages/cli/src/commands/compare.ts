import * as path from 'path';
import { BenchmarkError, COMPARE_USAGE, CompareInterrupted, formatUsageError, parseCompareArgs, resumeCommand, runCompare } from '@loopflow/benchmark';
import { CliIO, EXIT } from '../io';
import { JsonOutput } from '../json';
import { errorJson } from './shared';
import { optionsHelp, UsageError } from '../args';
import { distributed, QUEUE_OPTIONS, queueOptions } from './queue';

/** The queue flags of `compare` (no --artifacts: comparison jobs leave no run folders). */
const COMPARE_QUEUE_OPTIONS = { queue: QUEUE_OPTIONS.queue, attach: QUEUE_OPTIONS.attach };

/** One line for `loopflow --help`. */
export const COMPARE_SUMMARY = 'The RNN / LSTM / GRU / IndRNN / transformer comparison (--quick about 10 min, --full hours); writes report.md, report.html, results.json.';

/** A stream that turns each line written to it into a `{ type: 'log', stream, message }` JSON event. */
function jsonLines(json: JsonOutput, stream: 'stdout' | 'stderr'): { write(chunk: string): boolean; isTTY: false } {
  let pending = '';
  return {
    isTTY: false,
    write(chunk: string) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') json.event({ type: 'log', stream, message: line });
      return true;
    },
  };
}

/**
 * `loopflow compare [--quick|--full] [--out dir] [--seeds n] [--tasks a,b] [--models x,y] [--json]`:
 * parses the benchmark's own options (the shared parser) and runs @loopflow/benchmark's
 * `runCompare`. Exit codes: 0 every job ran, 1 a job failed (the report lists it), 2 a usage
 * error (or a folder `--resume` cannot continue), 130 interrupted (Ctrl-C: the finished jobs are
 * kept in the folder's results.jsonl; the message gives the `--resume` command). With `--json`, the progress and summary lines become `log` events and a result object
 * (the report files, the failed jobs) ends the output.
 */
export async function compareCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const cut = argv.indexOf('--');
  const json = (cut < 0 ? argv : argv.slice(0, cut)).includes('--json') ? new JsonOutput(io.stdout) : null;
  let parsed;
  try {
    parsed = parseCompareArgs([...argv], COMPARE_QUEUE_OPTIONS);
  } catch (e) {
    if (e instanceof BenchmarkError) {
      if (json) return json.result('compare', EXIT.usage, { status: 'usage', error: errorJson(e) });
      io.stderr.write(formatUsageError('loopflow compare', e, COMPARE_USAGE.replace(/^Usage: /, '')));
      return EXIT.usage;
    }
    throw e;
  }
  if (parsed.help) {
    io.stdout.write(`${COMPARE_USAGE}\n\nloopflow compare also takes (docs/distributed.md):\n${optionsHelp(COMPARE_QUEUE_OPTIONS).join('\n')}\n`);
    return EXIT.ok;
  }
  const options = { ...parsed.options };
  if (options.out) options.out = path.resolve(io.cwd, options.out);
  if (options.resume !== undefined) options.resume = path.resolve(io.cwd, options.resume);
  const streams = json ? { stderr: jsonLines(json, 'stderr'), stdout: jsonLines(json, 'stdout') } : { stderr: io.stderr, stdout: io.stdout };
  try {
    const queue = await queueOptions(parsed.extra ?? {}, io.cwd, (line) => streams.stderr.write(`${line}\n`));
    if (queue) {
      if (options.isolation === 'inline' || options.parallel !== undefined || options.rerender !== undefined || options.resume !== undefined) {
        throw new UsageError(`--queue cannot be combined with --${options.rerender !== undefined ? 'rerender' : options.resume !== undefined ? 'resume' : options.parallel !== undefined ? 'parallel' : 'inline'}`, "the workers' --concurrency decides how many jobs run at once", '--queue');
      }
      const attach = parsed.extra?.attach;
      // a re-attached comparison writes to the folder it began in (its name is the run id)
      if (attach !== undefined && !options.out) options.out = path.resolve(io.cwd, 'runs', String(attach));
      if (attach !== undefined && path.basename(options.out as string) !== String(attach)) {
        throw new UsageError(`--attach ${attach} names another run than --out ${options.out}`, "the run id is the run folder's name: give one of them", '--attach');
      }
      options.runner = (await distributed()).queueJobRunner(queue);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (json) return json.result('compare', EXIT.usage, { status: 'usage', error: errorJson(e) });
    io.stderr.write(formatUsageError('loopflow compare', e, COMPARE_USAGE.replace(/^Usage: /, '')));
    return EXIT.usage;
  }
  // Ctrl-C / SIGTERM (not with --queue, whose runs are re-attached with --attach): stop the
  // workers, keep the finished jobs in results.jsonl, say how to resume; a second one ends at once
  const stop = new AbortController();
  let atOnce: (code: number) => void = () => undefined;
  const secondSignal = new Promise<number>((resolve) => (atOnce = resolve));
  const removeInterrupt = !options.runner && io.onInterrupt
    ? io.onInterrupt((signal) => {
        if (!stop.signal.aborted) return stop.abort();
        if (json) json.event({ type: 'log', stream: 'stderr', message: `stopped at once (a second ${signal})` });
        else io.stderr.write(`\nloopflow compare: stopped at once (a second ${signal})\n`);
        atOnce(EXIT.interrupted);
      })
    : undefined;
  let outcome;
  try {
    const result = await Promise.race([runCompare({ ...options, signal: stop.signal }, streams), secondSignal]);
    if (typeof result === 'number') return result;
    outcome = result;
  } catch (e) {
    if (e instanceof CompareInterrupted) {
      const command = resumeCommand('loopflow compare', e.outDir, options);
      if (json) return json.result('compare', EXIT.interrupted, { status: 'interrupted', outDir: e.outDir, finished: e.finished, total: e.total, resume: command, error: errorJson(e) });
      io.stderr.write(`\nloopflow compare: interrupted; ${e.finished} of ${e.total} jobs finished, kept in ${e.jsonl}; resume with: ${command}\n`);
      return EXIT.interrupted;
    }
    // a folder --resume cannot continue: a validation error, said plainly
    if (e instanceof BenchmarkError && (e.code === 'CANNOT_RESUME' || e.code === 'RESUME_MISMATCH')) {
      if (json) return json.result('compare', EXIT.usage, { status: 'usage', error: errorJson(e) });
      io.stderr.write(`loopflow compare: ${e.message}\n`);
      return EXIT.usage;
    }
    // a lost queue (QUEUE_LOST) or an unreachable one: a failed run, said plainly
    if (!options.runner || typeof (e as { code?: unknown })?.code !== 'string') throw e;
    if (json) return json.result('compare', EXIT.failed, { status: 'failed', error: errorJson(e) });
    io.stderr.write(`loopflow compare: ${(e as Error).message}\n`);
    return EXIT.failed;
  } finally {
    removeInterrupt?.();
  }
  const code = outcome.report.failed.length > 0 ? EXIT.failed : EXIT.ok;
  if (json) return json.result('compare', code, { status: code === EXIT.ok ? 'completed' : 'failed', outDir: outcome.outDir, files: outcome.files, failed: outcome.report.failed });
  io.stdout.write(`report: ${path.relative(io.cwd, outcome.files.html) || outcome.files.html} (also report.md, results.json)\n`);
  return code;
}
