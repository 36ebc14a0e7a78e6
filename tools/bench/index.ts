/**
 * Benchmark dispatcher.
 *
 *     npm run bench -- <name> [--json] [options of the bench]
 *
 * Human-readable tables by default; with `--json`, one JSON object per result line on stdout
 * (notes go to stderr). Each bench is a module listed in {@link BENCHES}: add a line there to
 * add a bench.
 */

import type { Bench } from './types';

export type { Bench, BenchContext } from './types';

/** name -> module. Loaded lazily, so one bench's imports do not slow the others down. */
const BENCHES: Record<string, () => Promise<Bench>> = {
  matmul: async () => (await import('./matmul')).matmulBench,
  cells: async () => (await import('./cells')).cellsBench,
  browser: async () => (await import('./browser')).browserBench,
};

async function usage(): Promise<string> {
  const lines = ['usage: npm run bench -- <name> [--json] [options]', '', 'benches:'];
  for (const [name, load] of Object.entries(BENCHES)) {
    const description = await load().then(
      (bench) => bench.description,
      (err: unknown) => `(cannot load: ${err instanceof Error ? err.message : String(err)})`,
    );
    lines.push(`  ${name.padEnd(10)} ${description}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const rest = argv.filter((arg) => arg !== '--json');
  const name = rest[0];
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = BENCHES[name];
  if (load === undefined) {
    process.stderr.write(`unknown bench '${name}'\n\n${await usage()}\n`);
    return 2;
  }
  const bench = await load();
  await bench.run({
    json,
    args: rest.slice(1),
    emit: (result) => {
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    log: (line) => (json ? process.stderr : process.stdout).write(`${line}\n`),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A wrong option is the caller's to fix: its message (with the usage) is enough, no stack.
    const usageError = err instanceof Error && (err as Error & { code?: string }).code === 'BENCH_OPTION';
    process.stderr.write(`bench failed: ${err instanceof Error ? (usageError ? err.message : (err.stack ?? err.message)) : String(err)}\n`);
    process.exitCode = usageError ? 2 : 1;
  },
);
