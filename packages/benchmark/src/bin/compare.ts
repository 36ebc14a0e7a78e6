/**
 * `npx ts-node packages/benchmark/src/bin/compare.ts [--quick|--full] [--out dir] [--seeds n]
 * [--tasks a,b] [--models x,y] [--tiny] [--parallel n] [--inline] | --resume dir`: the
 * comparison from the command line (`loopflow compare` is the same). Ctrl-C stops the workers,
 * says how many jobs finished (kept in the folder's results.jsonl) and how to resume, and exits
 * with 130; a second Ctrl-C exits at once.
 */
import { COMPARE_USAGE, formatUsageError, parseCompareArgs, resumeCommand } from '../args';
import { runCompare } from '../compare';
import { BenchmarkError, CompareInterrupted } from '../errors';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCompareArgs(argv);
  } catch (e) {
    if (e instanceof BenchmarkError) {
      process.stderr.write(formatUsageError('compare', e, COMPARE_USAGE));
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return 0;
  }
  const stop = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) {
      process.stderr.write('\ncompare: stopped at once (second Ctrl-C)\n');
      process.exit(130);
    }
    stop.abort();
  });
  try {
    const outcome = await runCompare({ ...parsed.options, signal: stop.signal }, { stderr: process.stderr, stdout: process.stdout });
    return outcome.report.failed.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof BenchmarkError && (e.code === 'CANNOT_RESUME' || e.code === 'RESUME_MISMATCH')) {
      process.stderr.write(`compare: ${e.message}\n`);
      return 2;
    }
    if (!(e instanceof CompareInterrupted)) throw e;
    process.stderr.write(`\ncompare: interrupted; ${e.finished} of ${e.total} jobs finished, kept in ${e.jsonl}; resume with: ${resumeCommand('npx ts-node packages/benchmark/src/bin/compare.ts', e.outDir, parsed.options)}\n`);
    return 130;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`compare: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
