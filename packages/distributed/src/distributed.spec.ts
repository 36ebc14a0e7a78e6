/**
 * Searches on a real redis-server (started here on a free port of 127.0.0.1, with a password,
 * stopped at the end) and real `loopflow worker` processes: the results equal the local pool's,
 * a worker SIGKILLed mid-trial loses nothing (its trial resumes from its checkpoint on the other
 * worker), a stopped submitter re-attaches, another version's job and a trial's own error are
 * not retried. Skipped only where redis-server is missing outside CI.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { Queue, QueueEvents } from 'bullmq';
import { runSearch, SearchEvent, SearchResult, TrialResult } from '@loopflow/pipeline';
import { CompareReport, runCompare } from '@loopflow/benchmark';
import { parseQueueUrl } from './connection';
import { QUEUE_NAME, TRIAL_JOB, TrialJobData, trialJobId } from './protocol';
import { queueTrialRunner } from './queue-trial-runner';
import { queueJobRunner } from './queue-job-runner';
import { redisTestsEnabled, startRedis, TestRedis } from './testing/redis-server';
import { startWorkerProcess, WorkerProcess } from './testing/cli-process';
import { searchDefinition, writeNames } from './testing/fixtures';
import { loopflowVersion } from './version';

const enabled = redisTestsEnabled();
const PASSWORD = 'pw-not-to-be-printed';
/** Short locks so that a killed worker's trial is taken up again within seconds. */
const LOCK_MS = '6000';
/** One trial at a time each; a Redis away for more than 5 s stops them. */
const WORKER_ARGS = ['--concurrency', '1', '--lock-ms', LOCK_MS, '--reconnect-seconds', '5'];

let dir: string;
let redis: TestRedis;
const workers: WorkerProcess[] = [];
/** The local pool's results of the six-trial search (inline: the same numbers as the threads). */
let local: TrialResult[];

const sixTrials = (epochs = 1): ReturnType<typeof searchDefinition> => searchDefinition({ 'recurrent.hiddenSize': { values: [4, 6, 8] }, 'train.optimizer.lr': { values: [0.01, 0.02] } }, epochs);

function done(events: SearchEvent[]): SearchResult {
  const last = events[events.length - 1];
  if (last.type !== 'search-done') throw new Error(`the search ended with ${last.type}`);
  return last.result;
}

/** The fields the local pool and the queue must agree on, by trial index. */
function comparable(results: readonly TrialResult[]): unknown[] {
  return [...results].sort((a, b) => a.index - b.index).map((r) => ({ index: r.index, values: r.values, seed: r.seed, status: r.status, metric: r.metric, metrics: r.metrics, epochs: r.epochs, error: r.error }));
}

(enabled ? describe : describe.skip)('search on BullMQ workers (real redis-server, loopflow worker processes)', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-distributed-'));
    writeNames(dir);
    redis = await startRedis(undefined, PASSWORD);
    for (let i = 0; i < 2; i++) workers.push(startWorkerProcess(redis.url, WORKER_ARGS));
    local = done(await lastValueFrom(runSearch(sixTrials(), { baseDir: dir, runsDir: path.join(dir, 'local'), mode: 'inline' }).pipe(toArray()))).results;
    await Promise.all(workers.map((w) => w.waitFor(/taking up to 1 job/)));
  }, 120000);

  afterAll(async () => {
    if (process.env.LOOPFLOW_DEBUG) for (const w of workers) process.stderr.write(`--- worker ${w.child.pid}\n${w.log()}\n`);
    await Promise.all(workers.map((w) => w.kill()));
    await redis?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 30000);

  it('a 6-trial search on two worker processes gives the local pool\'s results and the same files', async () => {
    const events = await lastValueFrom(runSearch(sixTrials(), { baseDir: dir, runsDir: path.join(dir, 'queued'), runner: queueTrialRunner({ url: redis.url }) }).pipe(toArray()));
    const result = done(events);
    expect(comparable(result.results)).toEqual(comparable(local));
    expect(local.every((r) => r.status === 'completed')).toBe(true);
    // both workers took trials; every trial was reported done once
    expect(workers.every((w) => /trial \d of search .* taken/.test(w.log()))).toBe(true);
    expect(events.filter((e) => e.type === 'trial-done').map((e) => (e as { result: TrialResult }).result.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.some((e) => e.type === 'trial-progress')).toBe(true); // progress crosses from the workers
    // the run folders came back through Redis and sit where a local search writes them
    for (const r of result.results) {
      expect(path.dirname(r.runDir)).toBe(result.searchDir);
      expect(JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8'))).toMatchObject({ status: 'completed' });
      expect(fs.existsSync(path.join(r.runDir, 'model.safetensors'))).toBe(true);
    }
    const localDir = path.dirname(local[0].runDir);
    expect(fs.readFileSync(path.join(result.searchDir, 'best.json'), 'utf8')).toBe(fs.readFileSync(path.join(localDir, 'best.json'), 'utf8'));
    expect(fs.readFileSync(path.join(result.searchDir, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);
    // the password never reaches the logs
    expect(workers.map((w) => w.log()).join('')).not.toContain(PASSWORD);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  }, 180000);

  it('a worker SIGKILLed mid-trial: the other worker takes its trial up from the checkpoint in --artifacts; all trials finish once', async () => {
    const artifacts = path.join(dir, 'shared');
    const definition = searchDefinition({ 'recurrent.hiddenSize': { values: [8, 10] }, 'train.optimizer.lr': { values: [0.01, 0.02] } }, 4);
    const reference = done(await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'local-4'), mode: 'inline' }).pipe(toArray()))).results;
    const events: SearchEvent[] = [];
    let killed: { worker: WorkerProcess; trial: number } | undefined;
    const search = new Promise<SearchResult>((resolve, reject) => {
      runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'killed'), runner: queueTrialRunner({ url: redis.url, artifacts }) }).subscribe({
        next: (e) => {
          events.push(e);
          if (e.type === 'search-done') resolve(e.result);
          // after a trial's first epoch (its checkpoint written), SIGKILL the worker running it
          if (e.type === 'trial-progress' && !killed && e.epoch < e.epochs) {
            const searchId = path.basename((events[0] as Extract<SearchEvent, { type: 'search-start' }>).searchDir);
            const checkpoints = path.join(artifacts, searchId, `trial-${String(e.index).padStart(3, '0')}`, 'checkpoints');
            const worker = workers.find((w) => new RegExp(`trial ${e.index} of search ${searchId} taken`).test(w.log()));
            if (worker && fs.existsSync(checkpoints) && fs.readdirSync(checkpoints).some((c) => fs.existsSync(path.join(checkpoints, c, 'trainer.json')))) {
              killed = { worker, trial: e.index };
              worker.child.kill('SIGKILL');
            }
          }
        },
        error: reject,
      });
    });
    const result = await search;
    expect(killed).toBeDefined();
    const { worker, trial } = killed as { worker: WorkerProcess; trial: number };
    const survivor = workers.find((w) => w !== worker) as WorkerProcess;
    expect(survivor.log()).toMatch(new RegExp(`trial ${trial} of search \\S+ taken \\(job \\S+, start 2\\): resuming from`));
    // every trial finished, each reported once, with the numbers of an uninterrupted local run
    expect(events.filter((e) => e.type === 'trial-done').map((e) => (e as { result: TrialResult }).result.index).sort()).toEqual([0, 1, 2, 3]);
    expect(comparable(result.results)).toEqual(comparable(reference));
    const resumed = result.results.find((r) => r.index === trial) as TrialResult;
    expect(resumed.runDir.startsWith(artifacts)).toBe(true);
    const summary = JSON.parse(fs.readFileSync(path.join(resumed.runDir, 'summary.json'), 'utf8'));
    expect(summary.resumedFrom).toMatchObject({ epoch: expect.any(Number) });
    expect(summary.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(fs.readdirSync(path.dirname(resumed.runDir)).sort()).toEqual(['trial-000', 'trial-001', 'trial-002', 'trial-003']); // the killed attempt's folder is gone
    // a new worker takes the dead one's place for the next tests
    await worker.kill();
    workers.splice(workers.indexOf(worker), 1, startWorkerProcess(redis.url, WORKER_ARGS));
  }, 240000);

  it('a stopped submitter re-attached to its search (--attach) loses no finished result', async () => {
    const runsDir = path.join(dir, 'attached');
    const first: SearchEvent[] = [];
    let searchDir = '';
    let logsAtStop: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = runSearch(sixTrials(), { baseDir: dir, runsDir, runner: queueTrialRunner({ url: redis.url }) }).subscribe({
        next: (e) => {
          first.push(e);
          if (e.type === 'search-start') searchDir = e.searchDir;
          // stop the submitter after two trials (the workers go on)
          if (first.filter((x) => x.type === 'trial-done').length === 2) {
            logsAtStop = workers.map((w) => w.log());
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(fs.existsSync(path.join(searchDir, 'results.jsonl'))).toBe(false);
    const again = await lastValueFrom(runSearch(sixTrials(), { baseDir: dir, searchDir, runner: queueTrialRunner({ url: redis.url, attach: true }) }).pipe(toArray()));
    const result = done(again);
    expect(result.searchDir).toBe(searchDir);
    expect(comparable(result.results)).toEqual(comparable(local));
    const earlier = first.filter((e) => e.type === 'trial-done').map((e) => (e as { result: TrialResult }).result);
    for (const r of earlier) expect(result.results.find((x) => x.index === r.index)).toEqual(r);
    // the trials finished before the submitter stopped were not run again for the second one
    const after = workers.map((w, i) => w.log().slice(logsAtStop[i].length)).join('');
    for (const r of earlier) expect(after).not.toMatch(new RegExp(`trial ${r.index} of search ${path.basename(searchDir)} taken`));
    // attaching to a search the queue does not hold, or with another definition, is refused
    await expect(lastValueFrom(runSearch(sixTrials(), { baseDir: dir, searchDir: path.join(runsDir, 'names-search-nothing'), runner: queueTrialRunner({ url: redis.url, attach: true }) }))).rejects.toMatchObject({ code: 'SEARCH_NOT_FOUND' });
  }, 180000);

  it("a trial's own error is reported failed, not retried; a definition the worker cannot validate and a job of another version are refused once, clearly", async () => {
    // diverges at run time (the trial's own error): one start, reported failed
    const definition = searchDefinition({ 'train.optimizer.lr': { values: [0.02, 1e6] } });
    const result = done(await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'failing'), runner: queueTrialRunner({ url: redis.url }) }).pipe(toArray())));
    expect(result.results.map((r) => [r.index, r.status])).toEqual([[0, 'completed'], [1, 'failed']]);
    const local1 = done(await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'failing-local'), mode: 'inline' }).pipe(toArray()))).results[1];
    expect(result.results[1].error).toBe(local1.error);
    const log = workers.map((w) => w.log()).join('');
    expect(log.match(new RegExp(`trial 1 of search ${path.basename(result.searchDir)} taken`, 'g'))).toHaveLength(1);
    expect(log).toMatch(new RegExp(`trial 1 of search ${path.basename(result.searchDir)} failed`));

    // a data file the worker does not see: refused by the worker's own validation, not run
    const missing = searchDefinition({ 'lines.path': { values: ['names.txt', 'missing.txt'] } });
    const refused = done(await lastValueFrom(runSearch(missing, { baseDir: dir, runsDir: path.join(dir, 'missing'), runner: queueTrialRunner({ url: redis.url }) }).pipe(toArray())));
    expect(refused.results.map((r) => r.status)).toEqual(['completed', 'failed']);
    expect(refused.results[1].error).toMatch(/^JOB_INVALID: trial 1 .* does not validate on worker [^;]+; nothing was run:[\s\S]*no data file at [^:]*missing\.txt: the folder [^ ]* has no 'missing\.txt'/);

    const { connection } = parseQueueUrl(redis.url);
    const queue = new Queue(QUEUE_NAME, { connection });
    const events = new QueueEvents(QUEUE_NAME, { connection });
    try {
      await events.waitUntilReady();
      const { search: _search, ...trialDefinition } = definition;
      const data: TrialJobData = { format: 'loopflow.trial/1', version: '0.0.0-other', runId: 'other-version', index: 0, values: {}, definition: trialDefinition, baseDir: dir, metric: 'validation.loss' };
      const job = await queue.add(TRIAL_JOB, data, { jobId: trialJobId('other-version', 0), attempts: 2 });
      await expect(job.waitUntilFinished(events, 60000)).rejects.toThrow(`JOB_VERSION: job other-version.trial-000 was submitted by loopflow 0.0.0-other, but worker`);
      const failed = await queue.getJob(job.id as string);
      expect(await failed?.getState()).toBe('failed');
      expect(failed?.failedReason).toContain(`runs loopflow ${loopflowVersion()}; refused, nothing run`);
      expect(failed?.attemptsStarted).toBe(1); // refused at once, not retried
    } finally {
      await events.close();
      await queue.close();
    }
  }, 120000);

  it('compare --queue: the workers run the comparison jobs; the same training results and gradient flow as the local pool, the same files', async () => {
    const options = { suite: 'tiny' as const, models: ['rnn' as const], tasks: ['adding' as const], seeds: 1 };
    const quiet = { stderr: { write: () => true, isTTY: false } };
    const localRun = await runCompare({ ...options, out: path.join(dir, 'compare-local') }, quiet);
    const queued = await runCompare({ ...options, out: path.join(dir, 'compare-queued'), runner: queueJobRunner({ url: redis.url }) }, quiet);
    const numbers = (r: CompareReport): unknown => ({ runs: r.runs.map((x) => ({ id: x.id, test: x.test, curve: x.curve.map((c) => c.valid), flowAfter: x.flowAfter })), gradientFlow: r.gradientFlow, failed: r.failed });
    expect(queued.report.failed).toEqual([]);
    expect(numbers(queued.report)).toEqual(numbers(localRun.report));
    expect(queued.report.scaling.map((s) => s.model)).toEqual(['rnn']);
    expect(queued.report.machine.runner).toMatch(/^the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ \(run id compare-queued\)$/);
    expect(localRun.report.machine.runner).toBeUndefined();
    for (const file of Object.values(queued.files)) expect(fs.statSync(file).size).toBeGreaterThan(0);
    expect(fs.readFileSync(queued.files.jsonl, 'utf8').trim().split('\n')).toHaveLength(localRun.report.runs.length + 2); // + scaling + gradient flow
    expect(workers.map((w) => w.log()).join('')).toMatch(/job adding\/T=\d+\/rnn\/seed=0 of comparison compare-queued taken/);
  }, 180000);

  it('Redis restarted mid-run without persistence: the submitter submits the lost trials again and the search finishes', async () => {
    const definition = searchDefinition({ 'recurrent.hiddenSize': { values: [4, 6] } }, 3);
    const reference = done(await lastValueFrom(runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'restart-local'), mode: 'inline' }).pipe(toArray()))).results;
    const notes: string[] = [];
    let restarted: Promise<void> | undefined;
    const events = await lastValueFrom(
      runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'restart'), runner: queueTrialRunner({ url: redis.url, log: (line) => notes.push(line) }) }).pipe(
        tap((e) => {
          if (e.type === 'trial-progress' && !restarted) {
            restarted = (async () => {
              const port = redis.port;
              await redis.stop();
              redis = await startRedis(port, PASSWORD);
            })();
          }
        }),
        toArray(),
      ),
    );
    await restarted;
    expect(comparable(done(events).results)).toEqual(comparable(reference));
    expect(notes.some((n) => /Redis no longer has job \S+ \(restarted without persistence\?\): submitted again/.test(n))).toBe(true);
    expect(notes.join('\n')).not.toContain(PASSWORD);
  }, 180000);

  it('Redis gone for good: the search stops with QUEUE_LOST and the workers exit (1) within the reconnect time, saying so', async () => {
    const definition = searchDefinition({ 'recurrent.hiddenSize': { values: [4, 6] } }, 3);
    let stopped: Promise<void> | undefined;
    const started = { at: 0 };
    const search = lastValueFrom(
      runSearch(definition, { baseDir: dir, runsDir: path.join(dir, 'gone'), runner: queueTrialRunner({ url: redis.url, reconnectSeconds: 2 }) }).pipe(
        tap((e) => {
          if (e.type === 'trial-start' && !stopped) {
            started.at = Date.now();
            stopped = redis.stop();
          }
        }),
      ),
    );
    await expect(search).rejects.toMatchObject({ code: 'QUEUE_LOST', message: expect.stringContaining('could not reach it again within 2 s') });
    expect(Date.now() - started.at).toBeLessThan(30000);
    for (const w of workers) {
      const code = await new Promise<number | null>((resolve) => (w.child.exitCode !== null ? resolve(w.child.exitCode) : w.child.once('exit', (c) => resolve(c))));
      expect(code).toBe(1);
      expect(w.log()).toMatch(/loopflow worker: lost Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ and could not reach it again within 5 s/);
    }
  }, 120000);
});
