/**
 * `npx ts-node packages/benchmark/src/bin/compare.ts [--quick|--full] [--out dir] [--seeds n]
 * [--tasks a,b] [--models x,y] [--tiny] [--parallel n] [--inline]`: the comparison from the
 * command line, until the `loopflow compare` verb of @loopflow/cli calls `runCompare` itself.
 */
import { COMPARE_USAGE, formatUsageError, parseCompareArgs } from '../args';
import { runCompare } from '../compare';
import { BenchmarkError } from '../errors';

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
  const outcome = await runCompare(parsed.options, { stderr: process.stderr, stdout: process.stdout });
  return outcome.report.failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`compare: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
