/**
 * @loopflow/cli — the `loopflow` command line: `run`, `validate`, `search` and `inspect`
 * pipeline definitions and run folders, with progress bars on a terminal and plain lines in
 * CI. The top of the layering: it depends on @loopflow/pipeline; nothing depends on it.
 *
 * This file is the package's whole public API.
 */
export { main, helpText, COMMANDS } from './main';
export { nodeIO, EXIT } from './io';
export type { CliIO, OutputStream } from './io';
export { parseArgs, UsageError } from './args';
export type { OptionSpec, ParsedArgs } from './args';
export type { Command } from './commands/command';
export { createProgress, plainProgress, barProgress, PLAIN_STEP_INTERVAL_MS } from './progress';
export type { Progress } from './progress';
export { formatDuration, table } from './format';
