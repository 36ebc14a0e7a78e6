import { closest } from '@loopflow/pipeline';
import { CliIO, EXIT } from './io';
import * as fs from 'fs';
import * as path from 'path';
import { formatUsageError, optionsHelp, parseArgs, UsageError } from './args';
import { JsonOutput } from './json';
import type { Command } from './commands/command';
import { runCommand } from './commands/run';
import { validateCommand } from './commands/validate';
import { searchCommand } from './commands/search';
import { inspectCommand } from './commands/inspect';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';
import { workerCommand } from './commands/worker';
import { errorJson, messageOf } from './commands/shared';
import { COMPARE_SUMMARY, compareCommand } from './commands/compare';

/** The commands, in the order help lists them. */
export const COMMANDS: readonly Command[] = [runCommand, validateCommand, searchCommand, inspectCommand, exportCommand, importCommand, workerCommand];

/** Commands planned but not here yet. */
const PLANNED: Record<string, string> = {
  bench: 'speed benchmarks; until then: npm run bench -- matmul | cells',
};

/** The help text: every command, or one command's options. */
export function helpText(command?: Command): string {
  if (command) {
    const options = optionsHelp(command.options);
    return [`usage: loopflow ${command.usage}`, '', command.summary, ...(options.length ? ['', 'options:', ...options] : [])].join('\n');
  }
  return [
    'usage: loopflow <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    `  ${'compare'.padEnd(9)} ${COMPARE_SUMMARY}`,
    ...Object.entries(PLANNED).map(([name, what]) => `  ${name.padEnd(9)} (not yet available) ${what}`),
    '',
    "'loopflow <command> --help' shows a command's options; --version prints the version.",
    'Exit codes: 0 success, 1 a failed run, 2 a usage or validation error, 130 interrupted (Ctrl-C or SIGTERM: stopped at a batch boundary, checkpoint written).',
    'Pipeline definitions: docs/pipelines.md; every stage and option: docs/reference/stages.md.',
  ].join('\n');
}

/**
 * The `loopflow` command line as a function: parses `argv` (without the node and script
 * paths), runs the command with `io`, and returns the exit code (0 success, 1 a failed run,
 * 2 a usage or validation error). Problems are printed as messages, never as stack traces.
 *
 * @example process.exitCode = await main(process.argv.slice(2), nodeIO());
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const cut = argv.indexOf('--');
  const options = cut < 0 ? argv : argv.slice(0, cut); // what follows `--` is never an option
  if (options.includes('--version')) {
    io.stdout.write(`loopflow ${version()}\n`);
    return EXIT.ok;
  }
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`${helpText()}\n`);
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout.write(`${helpText(target)}\n`);
    return EXIT.ok;
  }
  if (name === 'compare') return untilInterrupted(compareCommand(rest, io), io, 'loopflow compare');
  if (PLANNED[name]) {
    io.stderr.write(`loopflow ${name}: not available yet (${PLANNED[name]})\n`);
    return EXIT.usage;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const near = closest(name, [...COMMANDS.map((c) => c.name), 'compare', ...Object.keys(PLANNED)]);
    io.stderr.write(`loopflow: unknown command '${name}'${near ? `; did you mean '${near}'?` : ''}\n${helpText()}\n`);
    return EXIT.usage;
  }
  if (options.includes('--help') || options.includes('-h')) {
    io.stdout.write(`${helpText(command)}\n`);
    return EXIT.ok;
  }
  try {
    const work = command.run(parseArgs(rest, command.options), io);
    // run and search stop their work themselves on Ctrl-C / SIGTERM; the others end with 130 at once
    return command.name === 'run' || command.name === 'search' ? await work : await untilInterrupted(work, io, `loopflow ${command.name}`);
  } catch (e) {
    const json = options.includes('--json') && '--json' in prefixed(command.options) ? new JsonOutput(io.stdout) : null;
    if (e instanceof UsageError) {
      if (json) return json.result(command.name, EXIT.usage, { status: 'usage', error: { ...errorJson(e), ...(e.hint ? { hint: e.hint } : {}) } });
      io.stderr.write(formatUsageError(`loopflow ${command.name}`, e, `loopflow ${command.usage}`));
      return EXIT.usage;
    }
    if (json) return json.result(command.name, EXIT.failed, { status: 'failed', error: errorJson(e) });
    io.stderr.write(`loopflow ${command.name}: ${messageOf(e)}\n`);
    if (io.env.LOOPFLOW_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return EXIT.failed;
  }
}

/** The options of a command as `--name` keys. */
function prefixed(specs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(specs).map((k) => [`--${k}`, true]));
}

/** The version of @loopflow/cli (its package.json), read once. */
let cachedVersion: string | undefined;
export function version(): string {
  if (cachedVersion === undefined) {
    try {
      // src/main.ts and dist/index.cjs both sit one folder below package.json
      cachedVersion = String((JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: unknown }).version);
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

/**
 * The command's exit code, or 130 as soon as Ctrl-C or SIGTERM arrives (the bin then ends the
 * process, worker processes included).
 */
function untilInterrupted(work: Promise<number>, io: CliIO, tool: string): Promise<number> {
  if (!io.onInterrupt) return work;
  let remove = (): void => undefined;
  const interrupted = new Promise<number>((resolve) => {
    remove = (io.onInterrupt as NonNullable<CliIO['onInterrupt']>)((signal) => {
      io.stderr.write(`\n${tool}: interrupted by ${signal}\n`);
      resolve(EXIT.interrupted);
    });
  });
  return Promise.race([work, interrupted]).finally(() => remove());
}
