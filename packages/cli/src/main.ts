import { closest } from '@loopflow/pipeline';
import { CliIO, EXIT } from './io';
import { parseArgs, UsageError } from './args';
import type { Command } from './commands/command';
import { runCommand } from './commands/run';
import { validateCommand } from './commands/validate';
import { searchCommand } from './commands/search';
import { inspectCommand } from './commands/inspect';
import { messageOf } from './commands/shared';
import { COMPARE_SUMMARY, compareCommand } from './commands/compare';

/** The commands, in the order help lists them. */
export const COMMANDS: readonly Command[] = [runCommand, validateCommand, searchCommand, inspectCommand];

/** Commands planned but not here yet. */
const PLANNED: Record<string, string> = {
  bench: 'speed benchmarks; until then: npm run bench -- matmul | cells',
};

/** The help text: every command, or one command's options. */
export function helpText(command?: Command): string {
  if (command) {
    const options = Object.entries(command.options).map(([name, spec]) => `  --${name}${spec.value ? ` ${spec.value}` : ''}\n      ${spec.description}`);
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
    "'loopflow <command> --help' shows a command's options. Exit codes: 0 success, 1 a failed run, 2 a usage or validation error.",
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
  if (name === '--version') {
    io.stdout.write('loopflow 0.1.0\n');
    return EXIT.ok;
  }
  if (name === 'compare') return compareCommand(rest, io);
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
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${helpText(command)}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(parseArgs(rest, command.options), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`loopflow ${command.name}: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}usage: loopflow ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`loopflow ${command.name}: ${messageOf(e)}\n`);
    if (io.env.LOOPFLOW_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return EXIT.failed;
  }
}
