import { closest } from '@loopflow/pipeline';

/** An option a command accepts: a value (string / number) or a flag. */
export interface OptionSpec {
  type: 'string' | 'number' | 'flag';
  description: string;
  /** Shown as `--name <value>` in help. */
  value?: string;
}

/** A command line split into positionals and options. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean>;
}

/** A usage error (exit 2): what is wrong and a hint. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `argv` against the options a command accepts: `--name value`, `--name=value`,
 * `--flag`; `--` ends the options. Unknown options, missing values and non-numbers are
 * usage errors (with "did you mean").
 */
export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`, 'options are written --name (see --help)');
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) {
      const near = closest(name, Object.keys(specs));
      throw new UsageError(`unknown option '--${name}'`, near ? `did you mean '--${near}'?` : `options: ${Object.keys(specs).map((k) => `--${k}`).join(', ') || 'none'}`);
    }
    if (spec.type === 'flag') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      options[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`option '--${name}' needs a value`, `e.g. --${name} ${spec.value ?? 'VALUE'}`);
    if (spec.type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option '--${name}' needs a number, got '${value}'`);
      options[name] = n;
    } else options[name] = value;
  }
  return { positionals, options };
}
