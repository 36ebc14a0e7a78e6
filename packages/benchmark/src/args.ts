import { parseArgs as nodeParseArgs } from 'util';
import { LoopflowError } from '@loopflow/tensor';
import { BenchmarkError, fail } from './errors';
import { ModelKind, TaskName, checkModelKinds, checkTaskNames, MODEL_KINDS, TASK_NAMES } from './names';
import type { Isolation } from './jobs/pool';
import type { JobRunnerFactory } from './jobs/runner';
import type { SuiteName } from './suite';

/** Options of {@link runCompare}; every field is optional. */
export interface CompareOptions {
  /** 'quick' (default), 'full', or 'tiny' (quick shortened to seconds, for CI). */
  suite?: SuiteName;
  /** Folder for report.md, report.html, results.json and results.jsonl (created); default `runs/compare-<suite>-<time>`. */
  out?: string;
  /** Seeds per task setting and model (default: the suite's, 2 quick / 3 full). */
  seeds?: number;
  /** Only these tasks (default all). */
  tasks?: TaskName[];
  /** Only these models (default all). */
  models?: ModelKind[];
  /** Training runs at the same time (default min(2, cores)). */
  parallel?: number;
  /** 'process' (default): each job in a worker process of its own (peak RSS per run); 'inline': all in this process. */
  isolation?: Isolation;
  /**
   * Train nothing: re-read `<folder>/results.json` of an earlier run, recompute the comparison
   * with published results by the current rules, and rewrite its report.md, report.html and
   * results.json.
   */
  rerender?: string;
  /**
   * Continue an interrupted run in this folder: the suite, seeds, tasks and models come from
   * its run.json (written at the start of every run; `suite`, `seeds`, `tasks`, `models` and
   * `out` are ignored); the finished results in its results.jsonl are kept, the other jobs
   * run, and the report covers them all, as an uninterrupted run's would.
   */
  resume?: string;
  /**
   * Stops the run when aborted (Ctrl-C): the running jobs are stopped (the runner's close), no
   * other starts, and `runCompare` rejects with a `CompareInterrupted` (code `INTERRUPTED`);
   * the finished jobs stay in results.jsonl for `resume`.
   */
  signal?: AbortSignal;
  /**
   * Where the jobs run (default: this machine's pool, `parallel` worker processes).
   * `@loopflow/distributed`'s `queueJobRunner` puts them on a BullMQ queue for workers on any machine.
   */
  runner?: JobRunnerFactory;
}

/** The usage text of `loopflow compare` / `compare.ts`. */
export const COMPARE_USAGE = `Usage: loopflow compare [--quick|--full] [--out dir] [--seeds n] [--tasks a,b] [--models x,y]
                        [--tiny] [--parallel n] [--inline] | --rerender dir
                        | --resume dir [--parallel n] [--inline]

Trains RNN (tanh), LSTM, GRU, IndRNN and a transformer at equal parameter budgets over seeds on
the adding problem, delayed recall, long-range context, a character LM on first names and the
CO2 forecast; measures time and memory per step against sequence length and gradient flow;
writes report.md, report.html (plots) and results.json to the run folder.

  --quick        the quick suite (default; about 4 minutes on 2 cores)
  --full         the full suite (hours)
  --tiny         the quick suite shortened to seconds (CI); with --quick or alone
  --out dir      the run folder (default runs/compare-<suite>-<time>)
  --seeds n      seeds per task setting and model
  --tasks a,b    only these tasks: ${TASK_NAMES.join(', ')}
  --models x,y   only these models: ${MODEL_KINDS.join(', ')}
  --parallel n   training runs at the same time (default min(2, cores))
  --inline       run every job in this process (no peak RSS per run)
  --rerender dir train nothing: rewrite dir's report from its results.json (current report rules)
  --resume dir   continue an interrupted run (Ctrl-C stops one and prints this command): its
                 suite, seeds, tasks and models from dir/run.json; the jobs finished in
                 dir/results.jsonl are kept, the others run; then the whole report
  --json         (loopflow compare) newline-delimited JSON events on stdout, a result object last
  --help         this text`;

/**
 * An option of a command line, for {@link parseArgs}: the one argument parser of `loopflow`,
 * `loopflow compare`, `npm run bench` and `npm run conformance` (Node's `util.parseArgs`
 * underneath, with one error style).
 */
export interface OptionSpec {
  /** 'string' / 'number': one value; 'list': a comma-separated list; 'flag': no value. */
  type: 'string' | 'number' | 'list' | 'flag';
  description: string;
  /** Shown as `--name <value>` in help and in the "needs a value" hint. */
  value?: string;
  /** A one-letter alias (`v` for `-v`). */
  short?: string;
  /** Repeatable: every value is kept, in order (an array); otherwise the last one wins. */
  multiple?: boolean;
  /** The values allowed (each item of a list). */
  choices?: readonly string[];
}

/** A command line split into positionals and options. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | number[]>;
}

/**
 * A usage error (exit 2): `message` says what is wrong with which flag and what was expected,
 * `hint` what to do; `option` names the flag. Print it with {@link formatUsageError}.
 */
export class UsageError extends LoopflowError {
  /** The flag at fault (`--out`), when one is. */
  option?: string;
  constructor(
    message: string,
    readonly hint?: string,
    option?: string,
  ) {
    super('USAGE', message);
    this.name = 'UsageError';
    if (option) this.option = option;
  }
}

/**
 * The one way a usage error is printed: `<tool>: <what is wrong>`, the hint, the usage line.
 * The caller exits with code 2.
 *
 * @example formatUsageError('loopflow run', new UsageError("option '--out' needs a value", 'e.g. --out <folder>'), 'loopflow run <file> [--out <folder>]')
 */
export function formatUsageError(tool: string, error: { message: string; hint?: string }, usage: string): string {
  return `${tool}: ${error.message}\n${error.hint ? `  hint: ${error.hint}\n` : ''}usage: ${usage.split('\n')[0].replace(/^usage:\s*/i, '')}\n`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The candidate a mistyped word most likely meant (within a third of its length), if any. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * Parses `argv` against the options a command accepts, with Node's `util.parseArgs`:
 * `--name value`, `--name=value`, `--flag`, `-x` (aliases), `--` ends the options. Numbers and
 * lists are converted and checked against `choices`. Every problem is a {@link UsageError}
 * naming the flag and what was expected: an unknown option (with "did you mean"), a missing
 * value, a value on a flag, a non-number, a value not among the choices.
 *
 * @example parseArgs(['a.json', '--out=x', '--quiet'], { out: { type: 'string', description: '' }, quiet: { type: 'flag', description: '' } })
 * // { positionals: ['a.json'], options: { out: 'x', quiet: true } }
 */
export function parseArgs(argv: readonly string[], specs: Record<string, OptionSpec>): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) config[name] = { type: spec.type === 'flag' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
  const { tokens } = nodeParseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = {};
  const names = Object.keys(specs);
  for (const token of tokens ?? []) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.prototype.hasOwnProperty.call(specs, token.name) ? specs[token.name] : undefined;
    const flag = token.rawName.startsWith('--') ? token.rawName : `--${token.name}`;
    if (!spec) {
      if (!token.rawName.startsWith('--')) throw new UsageError(`unknown option '${token.rawName}'`, 'options are written --name (see --help)', token.rawName);
      const near = nearest(token.name, names);
      throw new UsageError(`unknown option '${token.rawName}'`, near ? `did you mean '--${near}'?` : `options: ${names.map((k) => `--${k}`).join(', ') || 'none'}`, token.rawName);
    }
    if (spec.type === 'flag') {
      if (token.value !== undefined) throw new UsageError(`option '${flag}' takes no value`, `write ${flag} alone`, flag);
      options[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.startsWith('--'))) {
      throw new UsageError(`option '${flag}' needs a value`, `e.g. ${flag} ${spec.value ?? 'VALUE'}`, flag);
    }
    let parsed: string | number | string[];
    if (spec.type === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`option '${flag}' needs a number, got '${value}'`, `e.g. ${flag} ${spec.value ?? '2'}`, flag);
      parsed = n;
    } else if (spec.type === 'list') {
      parsed = value.split(',').map((item) => item.trim()).filter(Boolean);
      if (parsed.length === 0) throw new UsageError(`option '${flag}' needs a comma-separated list, got '${value}'`, spec.choices ? `choose from ${spec.choices.join(', ')}` : undefined, flag);
    } else parsed = value;
    if (spec.choices) {
      const unknown = (Array.isArray(parsed) ? parsed : [String(parsed)]).filter((item) => !spec.choices!.includes(item));
      if (unknown.length > 0) {
        const near = nearest(unknown[0], spec.choices);
        throw new UsageError(`option '${flag}' ${JSON.stringify(value)}: expected ${spec.type === 'list' ? 'a comma-separated list of ' : 'one of '}${spec.choices.join(', ')}; unknown: ${unknown.join(', ')}`, near ? `did you mean '${near}'?` : undefined, flag);
      }
    }
    if (spec.multiple) {
      const previous = (options[token.name] as (string | number)[] | undefined) ?? [];
      options[token.name] = [...previous, ...(Array.isArray(parsed) ? parsed : [parsed])] as string[] | number[];
    } else options[token.name] = parsed;
  }
  return { positionals, options };
}

/** The options of a command as help lines: `  --name <value>` and the description below. */
export function optionsHelp(specs: Record<string, OptionSpec>): string[] {
  return Object.entries(specs).map(([name, spec]) => `  ${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}\n      ${spec.description}`);
}

/** What parsing the command line gives: options, or a request for the usage text. */
export type ParsedCompareArgs = { help: true } | { help: false; options: CompareOptions; extra?: ParsedArgs['options'] };

/** The flags of `loopflow compare`, for {@link parseArgs}. */
export const COMPARE_OPTIONS: Record<string, OptionSpec> = {
  quick: { type: 'flag', description: 'the quick suite (default)' },
  full: { type: 'flag', description: 'the full suite (hours)' },
  tiny: { type: 'flag', description: 'the quick suite shortened to seconds (CI)' },
  out: { type: 'string', value: '<folder>', description: 'the run folder' },
  seeds: { type: 'number', value: '<n>', description: 'seeds per task setting and model' },
  tasks: { type: 'list', value: '<a,b>', description: 'only these tasks' },
  models: { type: 'list', value: '<x,y>', description: 'only these models' },
  parallel: { type: 'number', value: '<n>', description: 'training runs at the same time' },
  inline: { type: 'flag', description: 'run every job in this process' },
  rerender: { type: 'string', value: '<folder>', description: "rewrite a folder's report from its results.json" },
  resume: { type: 'string', value: '<folder>', description: 'continue an interrupted run in its folder (with --parallel, --inline only)' },
  json: { type: 'flag', description: 'newline-delimited JSON events on stdout (loopflow compare)' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

function positiveInt(flag: string, value: number | undefined): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) fail('INVALID_ARGUMENT', `option '${flag}' needs a whole number >= 1, got ${value}; e.g. ${flag} 2`);
  return value;
}

/**
 * Parses the arguments of `loopflow compare` (without the verb) with the shared
 * {@link parseArgs}. Throws a {@link BenchmarkError} (`INVALID_ARGUMENT`, `UNKNOWN_TASK`,
 * `UNKNOWN_MODEL`) naming the flag; print it with {@link formatUsageError}.
 *
 * `extra`: more flags that a caller adds (loopflow's `--queue`); their values come back in
 * `extra`, unchecked here.
 *
 * @example parseCompareArgs(['--quick', '--out', '/tmp/c', '--models', 'rnn,lstm']) // { help: false, options: { suite: 'quick', out: '/tmp/c', models: ['rnn', 'lstm'] } }
 */
export function parseCompareArgs(argv: readonly string[], extraOptions: Record<string, OptionSpec> = {}): ParsedCompareArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv, { ...COMPARE_OPTIONS, ...extraOptions });
  } catch (e) {
    if (e instanceof UsageError) fail('INVALID_ARGUMENT', `${e.message}${e.hint ? `; ${e.hint}` : ''}`);
    throw e;
  }
  const extra: ParsedArgs['options'] = {};
  const o: ParsedArgs['options'] = {};
  for (const [name, value] of Object.entries(parsed.options)) (name in extraOptions && !(name in COMPARE_OPTIONS) ? extra : o)[name] = value;
  if (o.help) return { help: true };
  if (parsed.positionals.length > 0) fail('INVALID_ARGUMENT', `unexpected argument '${parsed.positionals[0]}'; compare takes only options (see --help)`);
  const options: CompareOptions = {};
  if (o.inline) options.isolation = 'inline';
  if (o.out !== undefined) options.out = o.out as string;
  if (o.rerender !== undefined) options.rerender = o.rerender as string;
  const seeds = positiveInt('--seeds', o.seeds as number | undefined);
  if (seeds !== undefined) options.seeds = seeds;
  const parallel = positiveInt('--parallel', o.parallel as number | undefined);
  if (parallel !== undefined) options.parallel = parallel;
  if (o.tasks !== undefined) options.tasks = checkTaskNames(o.tasks as string[], 'compare --tasks');
  if (o.models !== undefined) options.models = checkModelKinds(o.models as string[], 'compare --models');
  const others = Object.keys(o).filter((k) => k !== 'rerender' && k !== 'json');
  if (options.rerender !== undefined && others.length > 0) fail('INVALID_ARGUMENT', 'option \'--rerender\' takes no other flag (the run folder holds the suite, seeds, tasks and models)');
  if (o.resume !== undefined) {
    const shaping = Object.keys(o).filter((k) => !['resume', 'json', 'parallel', 'inline'].includes(k));
    if (shaping.length > 0) fail('INVALID_ARGUMENT', `option '--resume' takes no --${shaping[0]} (the run folder's run.json holds the suite, seeds, tasks and models; only --parallel and --inline may be given)`);
    options.resume = o.resume as string;
  }
  if (o.full && (o.quick || o.tiny)) fail('INVALID_ARGUMENT', "option '--full' cannot be combined with --quick or --tiny; choose one suite");
  options.suite = o.tiny ? 'tiny' : o.full ? 'full' : 'quick';
  return { help: false, options, ...(Object.keys(extraOptions).length > 0 ? { extra } : {}) };
}

/** A path for a shell command line: quoted when it holds anything but safe characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that resumes an interrupted run: `prefix --resume <outDir>`, with the
 * --parallel / --inline the run was given.
 *
 * @example resumeCommand('loopflow compare', '/tmp/my run', { parallel: 4 }) // "loopflow compare --resume '/tmp/my run' --parallel 4"
 */
export function resumeCommand(prefix: string, outDir: string, options: CompareOptions): string {
  return `${prefix} --resume ${shellWord(outDir)}${options.parallel !== undefined ? ` --parallel ${options.parallel}` : ''}${options.isolation === 'inline' ? ' --inline' : ''}`;
}
