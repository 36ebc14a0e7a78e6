import { BenchmarkError, fail } from './errors';
import { ModelKind, TaskName, checkModelKinds, checkTaskNames, MODEL_KINDS, TASK_NAMES } from './names';
import type { Isolation } from './jobs/pool';
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
}

/** The usage text of `loopflow compare` / `compare.ts`. */
export const COMPARE_USAGE = `Usage: loopflow compare [--quick|--full] [--out dir] [--seeds n] [--tasks a,b] [--models x,y]
                        [--tiny] [--parallel n] [--inline] | --rerender dir

Trains RNN (tanh), LSTM, GRU, IndRNN and a transformer at equal parameter budgets over seeds on
the adding problem, delayed recall, long-range context, a character LM on first names and the
CO2 forecast; measures time and memory per step against sequence length and gradient flow;
writes report.md, report.html (plots) and results.json to the run folder.

  --quick        the quick suite (default; about 10 minutes on 2 cores)
  --full         the full suite (hours)
  --tiny         the quick suite shortened to seconds (CI); with --quick or alone
  --out dir      the run folder (default runs/compare-<suite>-<time>)
  --seeds n      seeds per task setting and model
  --tasks a,b    only these tasks: ${TASK_NAMES.join(', ')}
  --models x,y   only these models: ${MODEL_KINDS.join(', ')}
  --parallel n   training runs at the same time (default min(2, cores))
  --inline       run every job in this process (no peak RSS per run)
  --rerender dir train nothing: rewrite dir's report from its results.json (current report rules)
  --help         this text`;

/** What parsing the command line gives: options, or a request for the usage text. */
export type ParsedCompareArgs = { help: true } | { help: false; options: CompareOptions };

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 1) fail('INVALID_ARGUMENT', `compare: ${flag} ${value ?? '(missing)'}; expected a whole number >= 1, e.g. ${flag} 2`);
  return n;
}

function list(flag: string, value: string | undefined): string[] {
  if (value === undefined || value.startsWith('--')) fail('INVALID_ARGUMENT', `compare: ${flag} needs a comma-separated list, e.g. ${flag} ${flag === '--tasks' ? 'adding,copy' : 'rnn,lstm'}`);
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Parses the arguments of `loopflow compare` (without the verb). Throws a
 * {@link BenchmarkError} (`INVALID_ARGUMENT`, `UNKNOWN_TASK`, `UNKNOWN_MODEL`) naming the flag.
 *
 * @example parseCompareArgs(['--quick', '--out', '/tmp/c', '--models', 'rnn,lstm']) // { help: false, options: { suite: 'quick', out: '/tmp/c', models: ['rnn', 'lstm'] } }
 */
export function parseCompareArgs(argv: readonly string[]): ParsedCompareArgs {
  const options: CompareOptions = {};
  let quick = false;
  let full = false;
  let tiny = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--help': case '-h': return { help: true };
      case '--quick': quick = true; break;
      case '--full': full = true; break;
      case '--tiny': tiny = true; break;
      case '--inline': options.isolation = 'inline'; break;
      case '--out': {
        const v = argv[++i];
        if (v === undefined || v.startsWith('--')) fail('INVALID_ARGUMENT', 'compare: --out needs a folder, e.g. --out /tmp/compare-quick');
        options.out = v;
        break;
      }
      case '--rerender': {
        const v = argv[++i];
        if (v === undefined || v.startsWith('--')) fail('INVALID_ARGUMENT', 'compare: --rerender needs the folder of an earlier run, e.g. --rerender /tmp/compare-quick');
        options.rerender = v;
        break;
      }
      case '--seeds': options.seeds = positiveInt(arg, argv[++i]); break;
      case '--parallel': options.parallel = positiveInt(arg, argv[++i]); break;
      case '--tasks': options.tasks = checkTaskNames(list(arg, argv[++i]), 'compare --tasks'); break;
      case '--models': options.models = checkModelKinds(list(arg, argv[++i]), 'compare --models'); break;
      default:
        throw new BenchmarkError('INVALID_ARGUMENT', `compare: unknown argument '${arg}'; see --help for the flags`);
    }
  }
  if (options.rerender !== undefined && argv.length > 2) fail('INVALID_ARGUMENT', 'compare: --rerender takes no other flag (the run folder holds the suite, seeds, tasks and models)');
  if (full && (quick || tiny)) fail('INVALID_ARGUMENT', 'compare: --full cannot be combined with --quick or --tiny; choose one suite');
  options.suite = tiny ? 'tiny' : full ? 'full' : 'quick';
  return { help: false, options };
}
