import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { Observable } from 'rxjs';
import type { PipelineDefinition } from '../definition/types';
import { checkDefinition, isStillValid, ValidatedDefinition } from '../definition/validate';
import { DefinitionError } from '../definition/problems';
import { LoopflowError } from '@loopflow/tensor';
import { metricMode } from '../vocabulary/metric-set';
import { createRunFolder } from '../run-folder/run-folder';
import { writeFileAtomic } from '../run-folder/atomic';
import { planTrials, Trial } from '../definition/search-space';
import type { TrialProgress, TrialResult, TrialTask } from './trial';
import { localTrialRunner, TrialRunner, TrialRunnerFactory } from './trial-runner';
import { relocateDefinition } from '../definition/relocate';
import { defaultRegistry } from '../stages/default-registry';

/** Options of {@link runSearch}. */
export interface SearchOptions {
  /** A plain definition's folder: relative data paths are read from here (a validated definition keeps its own). */
  baseDir?: string;
  /** The folder that receives `<name>-search-<time>/` (default `runs`). */
  runsDir?: string;
  /** Trials at once (default: the search block's `parallel`, else the CPUs, at most the trials). */
  parallel?: number;
  /**
   * 'threads' (default): each trial on a worker thread (piscina). 'inline': one after another
   * in this thread (for debugging; the same results).
   */
  mode?: 'threads' | 'inline';
  /**
   * Where the trials run (default: the local pool of `mode`). `@loopflow/distributed`'s
   * `queueTrialRunner` puts them on a BullMQ queue for workers on any machine.
   */
  runner?: TrialRunnerFactory;
  /**
   * Use exactly this search folder (created when absent) instead of a new
   * `<runsDir>/<name>-search-<time>/`: a search re-attached to its queue writes where it began.
   */
  searchDir?: string;
  now?: () => Date;
}

/** The outcome of a search: every trial, best first. */
export interface SearchResult {
  searchDir: string;
  metric: string;
  mode: 'min' | 'max';
  /** Completed trials sorted by the metric (best first), then failed ones. */
  results: TrialResult[];
  best?: TrialResult;
  /** The best trial's definition, without the search block (best.json). */
  bestDefinitionFile?: string;
}

/** What a search reports while it runs. */
export type SearchEvent =
  | { type: 'search-start'; searchDir: string; trials: number; parallel: number; metric: string; mode: 'min' | 'max'; where: string }
  | { type: 'trial-start'; index: number; values: Record<string, unknown> }
  | ({ type: 'trial-progress' } & TrialProgress)
  | { type: 'trial-done'; result: TrialResult }
  | { type: 'search-done'; result: SearchResult };

/** Sorts completed trials by the metric (best first; missing values last), then failed trials by index. */
export function rankTrials(results: readonly TrialResult[], mode: 'min' | 'max'): TrialResult[] {
  const score = (r: TrialResult): number => (r.status === 'completed' && r.metric !== undefined && Number.isFinite(r.metric) ? (mode === 'min' ? r.metric : -r.metric) : Infinity);
  return [...results].sort((a, b) => score(a) - score(b) || (a.status === b.status ? 0 : a.status === 'completed' ? -1 : 1) || a.index - b.index);
}

/**
 * Runs a definition's search block: plans the trials (grid or seeded random), validates the
 * definition and every trial's definition first (once: a definition loaded with its search
 * checked, as `loadDefinition` does by default, is taken as it is), then runs the trials through the runner (default: in parallel on worker threads), each
 * with its own seed and run folder (`<searchDir>/trial-003/`). A failed trial is reported and
 * does not stop the others. At the end: `results.jsonl` (best first), `best.json` (the best
 * trial's definition) and `search.json` in the search folder.
 *
 * @example
 * runSearch(definition, { baseDir }).subscribe((e) => e.type === 'search-done' && console.table(e.result.results));
 */
export function runSearch(given: PipelineDefinition | ValidatedDefinition, options: SearchOptions = {}): Observable<SearchEvent> {
  return new Observable<SearchEvent>((subscriber) => {
    const from = 'plans' in given && 'definition' in given ? given : null;
    const definition = from ? from.definition : (given as PipelineDefinition);
    const baseDir = from ? from.baseDir : path.resolve(options.baseDir ?? process.cwd());
    const registry = from ? from.registry : defaultRegistry();
    if (!definition.search) {
      subscriber.error(new LoopflowError('NO_SEARCH', `${definition.name}: the definition has no search block; add "search": { "parameters": { ... } } (see docs/pipelines.md)`));
      return;
    }
    if (!(from && from.searchChecked && isStillValid(from))) {
      const { problems } = checkDefinition(definition, { baseDir, ...(from ? { registry: from.registry, locations: from.locations, file: from.file } : {}) });
      if (problems.length) {
        subscriber.error(new DefinitionError(problems, from?.file));
        return;
      }
    }
    const { trials } = planTrials(definition);
    const search = definition.search;
    const metric = search.metric ?? 'validation.loss';
    const mode = search.mode ?? metricMode(metric);
    const parallel = Math.max(1, Math.min(trials.length, options.parallel ?? search.parallel ?? os.cpus().length));
    const now = options.now ?? (() => new Date());
    const searchDir = options.searchDir ? path.resolve(options.searchDir) : createRunFolder(path.resolve(options.runsDir ?? 'runs'), `${definition.name}-search`, now());
    fs.mkdirSync(searchDir, { recursive: true });

    let pool: TrialRunner | null = null;
    let cancelled = false;
    let closed = false;
    /** Closes the runner once: `finished` after the files are written, not when stopped or failed. */
    const release = (finished: boolean): Promise<void> => {
      if (closed || !pool) return Promise.resolve();
      closed = true;
      return pool.close(finished);
    };
    const runOne = async (trial: Trial): Promise<TrialResult> => {
      const task: TrialTask = { index: trial.index, values: trial.values, definition: trial.definition, baseDir, runDir: path.join(searchDir, `trial-${String(trial.index).padStart(3, '0')}`), metric };
      const hooks = {
        started: (): void => {
          if (!cancelled) subscriber.next({ type: 'trial-start', index: trial.index, values: trial.values });
        },
        progress: (p: TrialProgress): void => {
          if (!cancelled) subscriber.next({ type: 'trial-progress', ...p });
        },
      };
      let result: TrialResult;
      try {
        result = await (pool as TrialRunner).run(task, hooks);
      } catch (e) {
        if ((e as { stopsSearch?: unknown } | null)?.stopsSearch === true) throw e; // the runner cannot go on
        result = { index: trial.index, values: trial.values, seed: trial.definition.seed ?? 0, status: 'failed', runDir: task.runDir, seconds: 0, error: e instanceof Error ? e.message : String(e) };
      }
      if (!cancelled) subscriber.next({ type: 'trial-done', result });
      return result;
    };

    const queue = [...trials];
    const results: TrialResult[] = [];
    const lane = async (): Promise<void> => {
      for (let trial = queue.shift(); trial && !cancelled; trial = queue.shift()) results.push(await runOne(trial));
    };
    const plan = { searchDir, name: definition.name, trials, parallel };
    Promise.resolve()
      .then(() => (options.runner ? options.runner(plan) : localTrialRunner(parallel, options.mode === 'inline' ? 'inline' : 'threads')))
      .then(async (runner) => {
        pool = runner;
        if (cancelled) return release(false);
        // the local pool reports the trials at once asked for (inline runs them one after another)
        subscriber.next({ type: 'search-start', searchDir, trials: trials.length, parallel: options.runner ? runner.parallel : parallel, metric, mode, where: runner.where });
        await Promise.all(Array.from({ length: Math.max(1, Math.min(runner.parallel, trials.length)) }, lane));
        if (cancelled) return;
        const ranked = rankTrials(results, mode);
        const best = ranked.find((r) => r.status === 'completed' && r.metric !== undefined);
        const result: SearchResult = { searchDir, metric, mode, results: ranked, ...(best ? { best } : {}) };
        writeFileAtomic(path.join(searchDir, 'results.jsonl'), ranked.map((r) => JSON.stringify(r)).join('\n') + '\n');
        if (best) {
          const trial = trials[best.index];
          result.bestDefinitionFile = path.join(searchDir, 'best.json');
          // relative data paths re-written relative to the search folder: best.json runs from where it is
          writeFileAtomic(result.bestDefinitionFile, JSON.stringify(relocateDefinition(trial.definition, baseDir, searchDir, registry), null, 2) + '\n');
        }
        writeFileAtomic(path.join(searchDir, 'search.json'), JSON.stringify({ name: definition.name, metric, mode, parallel, trials: trials.length, search, best: best ?? null }, null, 2) + '\n');
        if (!fs.existsSync(searchDir)) throw new LoopflowError('SEARCH_FOLDER', `${searchDir} disappeared during the search`);
        await release(true);
        subscriber.next({ type: 'search-done', result });
        subscriber.complete();
      })
      .catch((e) => {
        void release(false);
        subscriber.error(e);
      });
    return () => {
      cancelled = true;
      void release(false);
    };
  });
}
