/**
 * Benchmark dispatcher.
 *
 *     npm run bench -- <name> [--json] [options of the bench]
 *     npm run bench -- <name> --help
 *
 * Human-readable tables by default; with `--json`, one JSON object per result line on stdout
 * (notes go to stderr). Each bench is a module listed in {@link BENCHES}: add a line there to
 * add a bench.
 */

import type { Bench } from './types';
import { formatUsageError, parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec } from '@loopflow/benchmark';

export type { Bench, BenchContext } from './types';

/** name -> module. Loaded lazily, so one bench's imports do not slow the others down. */
const BENCHES: Record<string, () => Promise<Bench>> = {
  matmul: async () => (await import('./matmul')).matmulBench,
  cells: async () => (await import('./cells')).cellsBench,
  browser: async () => (await import('./browser')).browserBench,
  memory: async () => (await import('./memory')).memoryBench,
};

/** The dispatcher's own flags (before the bench name; `--json` may also follow it). */
const DISPATCH_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'flag', description: 'one JSON object per result line on stdout' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};
const USAGE_LINE = 'npm run bench -- <name> [--json] [options of the bench]   (npm run bench -- <name> --help)';

async function usage(): Promise<string> {
  const lines = [`usage: ${USAGE_LINE}`, '', 'benches:'];
  for (const [name, load] of Object.entries(BENCHES)) {
    const description = await load().then(
      (bench) => bench.description,
      (err: unknown) => `(cannot load: ${err instanceof Error ? err.message : String(err)})`,
    );
    lines.push(`  ${name.padEnd(10)} ${description}`);
  }
  return lines.join('\n');
}

/**
 * `npm run bench -- [--json] <name> [options]`: the options before the name are the
 * dispatcher's (the shared parser of @loopflow/benchmark); those after it go to the bench,
 * which parses them with the same parser (`--json` anywhere is the dispatcher's). A usage
 * error, here or in a bench, prints `bench <name>: <what>`, the hint and the usage line, and
 * exits 2; `--help` prints the usage.
 */
export async function main(argv: readonly string[], out: { stdout: (text: string) => void; stderr: (text: string) => void } = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }): Promise<number> {
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  const head = at < 0 ? argv : argv.slice(0, at);
  const name = at < 0 ? undefined : argv[at];
  let dispatch;
  try {
    dispatch = parseArgs(head, DISPATCH_OPTIONS).options;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.stderr(formatUsageError('bench', e, USAGE_LINE));
    return 2;
  }
  if (name === undefined) {
    if (dispatch.help) {
      out.stdout(`${await usage()}\n`);
      return 0;
    }
    out.stderr(formatUsageError('bench', { message: 'no bench named', hint: `choose one of ${Object.keys(BENCHES).join(', ')}` }, USAGE_LINE));
    return 2;
  }
  const load = BENCHES[name];
  if (load === undefined) {
    const near = Object.keys(BENCHES).find((b) => b.startsWith(name.slice(0, 2)));
    out.stderr(formatUsageError('bench', { message: `unknown bench '${name}'`, hint: near ? `did you mean '${near}'? (benches: ${Object.keys(BENCHES).join(', ')})` : `benches: ${Object.keys(BENCHES).join(', ')}` }, USAGE_LINE));
    return 2;
  }
  const rest = argv.slice(at + 1);
  const json = Boolean(dispatch.json) || rest.includes('--json');
  const bench = await load();
  try {
    await bench.run({
      json,
      args: dispatch.help ? ['--help'] : rest.filter((arg) => arg !== '--json'),
      emit: (result) => {
        if (json) out.stdout(`${JSON.stringify(result)}\n`);
      },
      log: (line) => (json ? out.stderr : out.stdout)(`${line}\n`),
    });
  } catch (err) {
    // a wrong option is the caller's to fix: its message, the hint and the usage line, no stack
    if ((err as { code?: string }).code === 'BENCH_OPTION' || err instanceof UsageError) {
      out.stderr(formatUsageError(`bench ${name}`, { message: (err as Error).message, hint: (err as UsageError).hint ?? `npm run bench -- ${name} --help` }, bench.usage ?? `npm run bench -- ${name} [options]`));
      return 2;
    }
    throw err;
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
