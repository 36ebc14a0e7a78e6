/**
 * `npm run conformance -- <folder> [--filter <pattern>] [--dtype float32|float64] [--json] [--verbose]`
 *
 * Runs every golden file of the folder (runner.ts), prints one line per case and the line
 * `N passed, N failed, N skipped`. Exit code: 0 when nothing failed, 1 when a case failed,
 * 2 for a usage error (no folder, a missing folder, an unknown option, nothing to run).
 */
import type { DType } from '@loopflow/tensor';
import { fmtNumber } from './compare';
import { formatUsageError, parseArgs as parseCommandLine, UsageError } from '@loopflow/benchmark';
import type { OptionSpec } from '@loopflow/benchmark';
import { ConformanceUsageError } from './errors';
import { CaseResult, RunReport, runConformance } from './runner';

export const USAGE = `usage: npm run conformance -- <folder> [options]

Runs every PyTorch golden file (*.json, format: goldens/pytorch/README.md) in <folder>
through the loopflow handler of its case (tools/conformance/cases/) and compares outputs
and gradients: an element passes when |actual - expected| <= atol + rtol*|expected|.

options:
  --filter <pattern>   only cases whose name (or file name) contains <pattern>, or matches
                       it as a glob when it has * or ? (e.g. 'lstm*'); repeat for several
  --dtype <type>       float32 (default, loopflow's working type) or float64
  --json               print one JSON object per case, and a JSON summary last
  --verbose, -v        print the errors of every tensor, and stack traces of handler errors
  --help, -h           print this help

exit code: 0 all ran cases passed, 1 a case failed, 2 usage error`;

/** Parsed command line. */
export interface CliOptions {
  folder: string;
  filters: string[];
  dtype: DType;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

/** The options of the conformance runner, for the shared parser of @loopflow/benchmark. */
export const OPTIONS: Record<string, OptionSpec> = {
  filter: { type: 'string', value: '<pattern>', multiple: true, description: 'only cases whose name (or file name) contains <pattern>, or matches it as a glob' },
  dtype: { type: 'string', value: '<type>', choices: ['float32', 'float64'], description: 'float32 (default) or float64' },
  json: { type: 'flag', description: 'one JSON object per case, and a JSON summary last' },
  verbose: { type: 'flag', short: 'v', description: 'the errors of every tensor, and stack traces of handler errors' },
  help: { type: 'flag', short: 'h', description: 'this help' },
};

/** Parses the arguments after the script name (the shared parser). Throws ConformanceUsageError for a bad command line. */
export function parseArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseCommandLine(argv, OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) throw new ConformanceUsageError(e.message, e.hint);
    throw e;
  }
  const o = parsed.options;
  const options: CliOptions = {
    folder: '',
    filters: (o.filter as string[] | undefined) ?? [],
    dtype: (o.dtype as DType | undefined) ?? 'float32',
    json: Boolean(o.json),
    verbose: Boolean(o.verbose),
    help: Boolean(o.help),
  };
  if (options.help) return options;
  const positional = parsed.positionals;
  if (positional.length === 0) throw new ConformanceUsageError('no folder given; pass the folder of golden files, e.g. npm run conformance -- goldens/pytorch');
  if (positional.length > 1) throw new ConformanceUsageError(`one folder expected, got ${positional.length}: ${positional.join(' ')}`);
  options.folder = positional[0];
  return options;
}

/** Where the CLI writes; tests pass collectors. */
export interface CliIO {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Load handlers from this folder instead of tools/conformance/cases (tests). */
  casesDir?: string;
}

const processIO: CliIO = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
};

const err = (x: number | undefined) => (x === undefined ? '-' : fmtNumber(x));

/** The text line of one case: name, max abs error, max rel error, status and reason. */
export function formatCaseLine(r: CaseResult, nameWidth: number): string {
  const line = `${r.name.padEnd(nameWidth)}  max abs ${err(r.maxAbs).padEnd(8)}  max rel ${err(r.maxRel).padEnd(8)}  ${r.status}`;
  return r.reason ? `${line}  ${r.reason}` : line;
}

function verboseLines(r: CaseResult): string[] {
  const lines: string[] = [];
  if (r.handler) lines.push(`    handler ${r.handler}, ${r.ms === undefined ? '?' : r.ms.toFixed(1)} ms, ${r.dtype}`);
  for (const t of r.tensors) {
    const verdict = t.pass ? 'ok' : t.lengthError ? 'length differs' : `${t.mismatches} of ${t.size} off, worst ${t.worstAt}`;
    lines.push(`    ${t.name.padEnd(24)} max abs ${err(t.maxAbs).padEnd(8)}  max rel ${err(t.maxRel).padEnd(8)}  (atol ${t.tolerance.atol}, rtol ${t.tolerance.rtol})  ${verdict}`);
  }
  if (r.detail) lines.push(...r.detail.split('\n').map((l) => `    ${l}`));
  return lines;
}

/** JSON with non-finite numbers written as strings ('Infinity', 'NaN') instead of null. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

function caseJson(r: CaseResult, verbose: boolean): string {
  const tensors = r.tensors.map((t) => ({ name: t.name, size: t.size, maxAbs: t.maxAbs, maxRel: t.maxRel, mismatches: t.mismatches, worstAt: t.worstAt, tolerance: t.tolerance, pass: t.pass }));
  const ms = r.ms === undefined ? undefined : Math.round(r.ms * 10) / 10;
  const { name, status, reason, maxAbs, maxRel, file, handler, dtype, detail } = r;
  return toJson({ name, status, reason, maxAbs, maxRel, file, handler, dtype, ms, tensors, ...(verbose && detail ? { detail } : {}) });
}

/** The summary line: `N passed, N failed, N skipped`. */
export function summaryLine(report: Pick<RunReport, 'passed' | 'failed' | 'skipped'>): string {
  return `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
}

/**
 * Runs the command line and returns the exit code (0 pass, 1 failure, 2 usage error).
 * @example
 * process.exitCode = await main(['goldens/pytorch', '--filter', 'layernorm']);
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof ConformanceUsageError)) throw e;
    io.stderr(formatUsageError('conformance', e, USAGE).trimEnd());
    return 2;
  }
  if (options.help) {
    io.stdout(USAGE);
    return 0;
  }
  let report: RunReport;
  try {
    report = await runConformance(options.folder, { dtype: options.dtype, filter: options.filters, casesDir: io.casesDir });
  } catch (e) {
    if (e instanceof ConformanceUsageError) {
      io.stderr(formatUsageError('conformance', e, USAGE).trimEnd());
      return 2;
    }
    io.stderr(`conformance: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 1;
  }
  if (report.fileCount === 0) {
    io.stderr(`conformance: no golden files (*.json) in '${options.folder}'; pass a folder of golden files (format: goldens/pytorch/README.md)`);
    return 2;
  }
  if (!report.results.some((r) => r.file !== undefined)) {
    io.stderr(`conformance: no case matches --filter ${options.filters.map((f) => `'${f}'`).join(', ')} among ${report.fileCount} golden files in '${options.folder}'`);
    return 2;
  }
  if (options.json) {
    for (const r of report.results) io.stdout(caseJson(r, options.verbose));
    io.stdout(toJson({ summary: summaryLine(report), passed: report.passed, failed: report.failed, skipped: report.skipped }));
  } else {
    io.stdout(`conformance: ${report.fileCount} golden files in ${report.folder}, ${report.dtype}`);
    const width = Math.min(40, Math.max(...report.results.map((r) => r.name.length)));
    for (const r of report.results) {
      io.stdout(formatCaseLine(r, width));
      if (options.verbose) verboseLines(r).forEach((l) => io.stdout(l));
    }
    io.stdout(summaryLine(report));
  }
  return report.failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`conformance: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
