import * as path from 'path';
import { DefinitionError, formatProblems, runSearch, SearchEvent, SearchResult } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { errorJson, JSON_OPTION, loadChecked, messageOf, onePath, problemJson } from './shared';
import { JsonOutput } from '../json';
import { num, table } from '../format';
import { UsageError } from '../args';
import { attachedSearchDir, distributed, QUEUE_OPTIONS, queueOptions } from './queue';

/** The results of a search as a text table, best first. */
export function resultsTable(result: SearchResult, cwd: string): string {
  const fields = [...new Set(result.results.flatMap((r) => Object.keys(r.values)))];
  const rows = result.results.map((r, rank) => [
    r.status === 'completed' ? String(rank + 1) : '-',
    String(r.index),
    ...fields.map((f) => (typeof r.values[f] === 'number' ? num(r.values[f] as number) : JSON.stringify(r.values[f]))),
    r.metric === undefined ? '' : num(r.metric),
    r.status === 'completed' ? 'ok' : `failed: ${(r.error ?? '').split('\n').slice(0, 2).join(' ').slice(0, 80)}`,
    path.relative(cwd, r.runDir),
  ]);
  return table(['rank', 'trial', ...fields, result.metric, 'status', 'run folder'], rows);
}

/** `loopflow search <file>`: runs the definition's search block. */
export const searchCommand: Command = {
  name: 'search',
  usage: 'search <file> [--out <folder>] [--parallel <n>] [--inline] [--queue <redis://host:port> [--artifacts <folder>] [--attach <id>]] [--quiet] [--json]',
  summary: "Run the definition's hyper-parameter search (grid or random), trials in parallel on worker threads, or on workers of a Redis queue (--queue).",
  options: {
    out: { type: 'string', value: '<folder>', description: 'Where the search folder goes (default: runs).' },
    parallel: { type: 'number', value: '<n>', description: 'Trials at once (default: the search block, else the CPUs).' },
    inline: { type: 'flag', description: 'Run the trials one after another in this process (no worker threads).' },
    ...QUEUE_OPTIONS,
    quiet: { type: 'flag', description: 'No progress output.' },
    json: JSON_OPTION,
  },
  async run(args, io) {
    const file = onePath(args.positionals, 'file', 'search');
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    const checked = loadChecked(file, io);
    if ('problems' in checked) {
      if (json) return json.result('search', EXIT.usage, { status: 'invalid', problems: checked.problems.map((p) => problemJson(p, file)) });
      io.stderr.write(`${formatProblems(checked.problems, file)}\n`);
      return EXIT.usage;
    }
    const loaded = checked.loaded;
    if (!loaded.definition.search) throw new UsageError(`${file} has no search block`, 'add "search": { "parameters": { ... } } (docs/pipelines.md), or use loopflow run');
    const parallel = args.options.parallel;
    if (parallel !== undefined && (!Number.isInteger(parallel) || (parallel as number) < 1)) throw new UsageError(`--parallel must be a whole number >= 1, got ${parallel}`);
    const quiet = Boolean(args.options.quiet) || json !== null;
    const say = (line: string): void => {
      if (!quiet) io.stderr.write(`${line}\n`);
    };
    const queue = await queueOptions(args.options, io.cwd, say);
    const runner = queue ? (await distributed()).queueTrialRunner(queue) : undefined;
    if (queue && (parallel !== undefined || args.options.inline)) throw new UsageError(`--queue cannot be combined with --${parallel !== undefined ? 'parallel' : 'inline'}`, "the workers' --concurrency decides how many trials run at once", '--queue');
    const runsDir = path.resolve(io.cwd, String(args.options.out ?? 'runs'));
    const searchDir = queue?.attach ? attachedSearchDir(runsDir, String(args.options.attach)) : undefined;
    return new Promise<number>((settle) => {
      let stopInterrupt = (): void => undefined;
      let startedDir: string | undefined;
      const resolve = (code: number): void => {
        stopInterrupt();
        settle(code);
      };
      const subscription = runSearch(loaded, {
        runsDir,
        ...(runner ? { runner } : {}),
        ...(searchDir ? { searchDir } : {}),
        ...(parallel !== undefined ? { parallel: parallel as number } : {}),
        ...(args.options.inline ? { mode: 'inline' as const } : {}),
        ...(io.now ? { now: () => (io.now as () => Date)() } : {}),
      }).subscribe({
        next: (event: SearchEvent) => {
          if (event.type === 'search-start') startedDir = event.searchDir;
          if (json) {
            if (event.type !== 'search-done') json.event(event);
            else {
              const completed = event.result.results.filter((r) => r.status === 'completed').length;
              resolve(json.result('search', completed > 0 ? EXIT.ok : EXIT.failed, { status: completed > 0 ? 'completed' : 'failed', result: event.result }));
            }
            return;
          }
          if (event.type === 'search-start') {
            say(
              queue
                ? `search: ${event.trials} trials on ${event.where}, ranked by ${event.metric} (${event.mode}); folder ${path.relative(io.cwd, event.searchDir)}; stopped, it goes on: re-attach with --attach ${path.basename(event.searchDir)}`
                : `search: ${event.trials} trials, ${event.parallel} at a time, ranked by ${event.metric} (${event.mode}); folder ${path.relative(io.cwd, event.searchDir)}`,
            );
          }
          else if (event.type === 'trial-start') say(`trial ${event.index} started: ${JSON.stringify(event.values)}`);
          else if (event.type === 'trial-progress') say(`trial ${event.index}: epoch ${event.epoch}/${event.epochs} loss ${num(event.loss)}`);
          else if (event.type === 'trial-done') {
            const r = event.result;
            say(r.status === 'completed' ? `trial ${r.index} done: ${r.metric === undefined ? 'no metric' : num(r.metric)} (${r.seconds.toFixed(1)}s)` : `trial ${r.index} failed: ${(r.error ?? '').split('\n')[0]}`);
          } else if (event.type === 'search-done') {
            const result = event.result;
            io.stdout.write(`${resultsTable(result, io.cwd)}\n`);
            if (result.bestDefinitionFile) io.stdout.write(`best: trial ${result.best?.index} (${result.metric} ${num(result.best?.metric as number)}); definition written to ${path.relative(io.cwd, result.bestDefinitionFile)}\n`);
            const completed = result.results.filter((r) => r.status === 'completed').length;
            resolve(completed > 0 ? EXIT.ok : EXIT.failed);
          }
        },
        error: (e) => {
          if (e instanceof DefinitionError) {
            if (json) resolve(json.result('search', EXIT.usage, { status: 'invalid', problems: e.problems.map((p) => problemJson(p, file)) }));
            else {
              io.stderr.write(`${formatProblems(e.problems, file)}\n`);
              resolve(EXIT.usage);
            }
          } else if (json) resolve(json.result('search', EXIT.failed, { status: 'failed', error: errorJson(e) }));
          else {
            io.stderr.write(`search failed: ${messageOf(e)}\n`);
            resolve(EXIT.failed);
          }
        },
      });
      if (io.onInterrupt) {
        stopInterrupt = io.onInterrupt((signal) => {
          // stops the trials (the finished ones keep their run folders and trials.jsonl)
          subscription.unsubscribe();
          const where = startedDir ? `; the finished trials are in ${path.relative(io.cwd, startedDir) || '.'}` : '';
          const message = `interrupted by ${signal}${where}${queue && startedDir ? `; the trials go on on the workers: follow them again with --attach ${path.basename(startedDir)}` : ''}`;
          if (json) resolve(json.result('search', EXIT.interrupted, { status: 'interrupted', error: { code: 'INTERRUPTED', message } }));
          else {
            io.stderr.write(`\n${message}\n`);
            resolve(EXIT.interrupted);
          }
        });
      }
    });
  },
};
