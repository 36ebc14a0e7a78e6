import * as path from 'path';
import { BenchmarkError, COMPARE_USAGE, parseCompareArgs, runCompare } from '@loopflow/benchmark';
import { CliIO, EXIT } from '../io';

/** One line for `loopflow --help`. */
export const COMPARE_SUMMARY = 'The RNN / LSTM / GRU / IndRNN / transformer comparison (--quick about 10 min, --full hours); writes report.md, report.html, results.json.';

/**
 * `loopflow compare [--quick|--full] [--out dir] [--seeds n] [--tasks a,b] [--models x,y]`:
 * parses the benchmark's own options and runs @loopflow/benchmark's `runCompare`. Exit codes:
 * 0 every job ran, 1 a job failed (the report lists it), 2 a usage error.
 */
export async function compareCommand(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCompareArgs([...argv]);
  } catch (e) {
    if (e instanceof BenchmarkError) {
      io.stderr.write(`loopflow compare: ${e.message}\n\n${COMPARE_USAGE}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  if (parsed.help) {
    io.stdout.write(`${COMPARE_USAGE}\n`);
    return EXIT.ok;
  }
  const options = { ...parsed.options };
  if (options.out) options.out = path.resolve(io.cwd, options.out);
  const outcome = await runCompare(options, { stderr: io.stderr, stdout: io.stdout });
  io.stdout.write(`report: ${path.relative(io.cwd, outcome.files.html) || outcome.files.html} (also report.md, results.json)\n`);
  return outcome.report.failed.length > 0 ? EXIT.failed : EXIT.ok;
}
