/**
 * A run's life across interruptions: a stop request checkpoints and leaves status
 * 'interrupted'; resuming continues the history (epochs 1..N in one summary and metrics.jsonl);
 * a run left 'running' by a dead process is marked 'killed' and its half-written files removed;
 * a diverging run fails, naming where, and says how to resume.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { runPipeline, RunEvent } from './run-pipeline';
import { readMetricsLog } from '../run-folder/run-folder';
import type { RunSummary } from '../run-folder/summary';
import { cleanup, seriesDefinition, tempDir, writeSeries } from '../testing/fixtures';
import type { PipelineDefinition } from '../definition/types';

let dir: string;
beforeAll(() => {
  dir = tempDir();
  writeSeries(dir);
});
afterAll(() => cleanup(dir));

const summaryOf = (runDir: string): RunSummary => JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;

function definitionWith(train: Record<string, unknown>): PipelineDefinition {
  const d = seriesDefinition();
  d.stages[7] = { stage: 'train', ...train } as { stage: string };
  return d;
}

describe('stop, resume, and the history over both parts', () => {
  it('a stop request checkpoints mid-epoch (status interrupted); the resumed run holds epochs 1..4 once, steps 1..N once', async () => {
    const definition = definitionWith({ epochs: 4, optimizer: { kind: 'adam', lr: 0.02 } });
    const signal = { aborted: false };
    const events: RunEvent[] = [];
    const first = runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs'), signal }).pipe(
      tap((e) => {
        events.push(e);
        if (e.type === 'epoch' && e.epoch === 2) signal.aborted = true; // stops after epoch 2's checkpoint... or after the next batch
        if (e.type === 'step' && signal.aborted) throw new Error('a step after the stop request');
      }),
    );
    await expect(lastValueFrom(first)).rejects.toMatchObject({ code: 'INTERRUPTED' });
    const firstDir = (events[0] as Extract<RunEvent, { type: 'run-start' }>).runDir;
    const stopped = summaryOf(firstDir);
    expect(stopped).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' }, pid: process.pid, host: os.hostname() });
    expect(stopped.history?.map((h) => h.epoch)).toEqual([1, 2]);

    const resumed = await lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'runs'), resumeFrom: path.join(firstDir, 'checkpoints') }).pipe(toArray()));
    const done = resumed[resumed.length - 1] as Extract<RunEvent, { type: 'run-done' }>;
    expect(done.runDir).not.toBe(firstDir);
    expect(done.summary.status).toBe('completed');
    expect(done.summary.history?.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(done.summary.history?.slice(0, 2)).toEqual(stopped.history);
    expect(done.summary.resumedFrom).toMatchObject({ runDir: firstDir, epoch: 2 });
    const logged = readMetricsLog(path.join(done.runDir, 'metrics.jsonl'));
    expect(logged.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    expect(logged.filter((r) => r.type === 'step').map((r) => r.step)).toEqual(Array.from({ length: done.summary.steps as number }, (_, i) => i + 1));
    expect(logged.filter((r) => r.type === 'resume')).toHaveLength(1);
    expect(fs.readFileSync(path.join(done.runDir, 'report.html'), 'utf8')).toContain('Loss per epoch');
  });
});

describe('runs killed while running', () => {
  it('a run folder left "running" by a dead process is marked killed, its .tmp files and uncommitted checkpoints removed', async () => {
    const runsDir = path.join(dir, 'killed-runs');
    const victim = path.join(runsDir, 'sine-20250101-000000');
    const deadPid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout; // a process that has ended
    fs.mkdirSync(path.join(victim, 'checkpoints', 'epoch-0001'), { recursive: true });
    fs.mkdirSync(path.join(victim, 'checkpoints', 'epoch-0002'), { recursive: true });
    const running = { format: 'loopflow.run/1', name: 'sine', status: 'running', started: '2025-01-01T00:00:00.000Z', seed: 5, pid: Number(deadPid), host: os.hostname() };
    fs.writeFileSync(path.join(victim, 'summary.json'), JSON.stringify(running));
    fs.writeFileSync(path.join(victim, 'summary.json.4242.tmp'), '{"half');
    fs.writeFileSync(path.join(victim, 'checkpoints', 'epoch-0001', 'trainer.json'), '{}');
    fs.writeFileSync(path.join(victim, 'checkpoints', 'epoch-0001', 'optimizer.json.tmp'), 'x');
    fs.writeFileSync(path.join(victim, 'checkpoints', 'epoch-0002', 'model.safetensors'), 'x'); // no trainer.json: never committed
    const alive = path.join(runsDir, 'sine-alive');
    fs.mkdirSync(alive);
    fs.writeFileSync(path.join(alive, 'summary.json'), JSON.stringify({ ...running, pid: process.pid }));
    fs.writeFileSync(path.join(alive, 'summary.json.1.tmp'), 'x');

    const events = await lastValueFrom(runPipeline(definitionWith({ epochs: 1 }), { baseDir: dir, runsDir }).pipe(toArray()));
    const marked = summaryOf(victim);
    expect(marked).toMatchObject({ status: 'killed', error: { code: 'RUN_KILLED', message: expect.stringContaining(`pid ${deadPid}`) } });
    expect(fs.readdirSync(victim).sort()).toEqual(['checkpoints', 'summary.json']);
    expect(fs.readdirSync(path.join(victim, 'checkpoints'))).toEqual(['epoch-0001']);
    expect(fs.readdirSync(path.join(victim, 'checkpoints', 'epoch-0001'))).toEqual(['trainer.json']);
    expect(events).toContainEqual({ type: 'log', message: expect.stringMatching(new RegExp(`marked .*sine-20250101-000000 as killed: its process ${deadPid} is gone.*summary\\.json\\.4242\\.tmp`)) });
    expect(summaryOf(alive).status).toBe('running'); // a live process: not touched
    expect(fs.existsSync(path.join(alive, 'summary.json.1.tmp'))).toBe(true);
  });
});

describe('a diverging run', () => {
  it('Adam with lr 1e6 fails with DIVERGED naming the epoch and step, and the hint names --resume <run folder>', async () => {
    const events: RunEvent[] = [];
    const definition = definitionWith({ epochs: 3, optimizer: { kind: 'adam', lr: 1e6 } });
    await expect(lastValueFrom(runPipeline(definition, { baseDir: dir, runsDir: path.join(dir, 'diverged') }).pipe(tap((e) => events.push(e))))).rejects.toMatchObject({
      code: 'DIVERGED',
      message: expect.stringMatching(/the run diverged: .* at epoch \d+, step \d+ \(batch \d+\)/),
    });
    const runDir = (events[0] as Extract<RunEvent, { type: 'run-start' }>).runDir;
    const summary = summaryOf(runDir);
    expect(summary.status).toBe('failed');
    expect(summary.error?.code).toBe('DIVERGED');
    const checkpointed = events.some((e) => e.type === 'checkpoint');
    expect(summary.error?.message).toContain(checkpointed ? `loopflow run <definition> --resume ${runDir} --out ${path.dirname(runDir)}` : 'No checkpoint was written before it');
    expect(summary.error?.message).not.toMatch(/resumeFrom|checkpoint: \{ dir/);
  });
});
