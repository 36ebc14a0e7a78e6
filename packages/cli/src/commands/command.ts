import type { CliIO } from '../io';
import type { OptionSpec, ParsedArgs } from '../args';

/** A subcommand of `loopflow`. */
export interface Command {
  name: string;
  /** `run <file>` */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code. */
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}
