import type { ChildProcess } from 'child_process';
import { planSuite, resolveSuite } from '../plan';
import type { TrainResult } from '../training/train-run';
import { runJobs } from './pool';

// The pool starts each lane's next worker process while a training run reports progress; the
// results must be those of the same jobs run inline (same training, same metrics), and no
// worker may be left running when runJobs resolves (a prepared worker without a job is dismissed).

/** The numbers a training run gives that do not depend on timing. */
function numbers(r: TrainResult): unknown {
  return { id: r.id, steps: r.steps, curve: r.curve, test: r.test, stopped: r.stopped, stepsToSolve: r.stepsToSolve, width: r.width };
}

describe('runJobs with worker processes', () => {
  it('gives the inline results, starts no more workers than jobs + lanes, and leaves none running', async () => {
    const jobs = planSuite(resolveSuite({ suite: 'tiny', tasks: ['adding'], models: ['rnn', 'lstm'] })).training.slice(0, 5);
    expect(jobs.length).toBe(5);
    // The module object itself (an `import *` namespace would be a copy): record every child forked.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const childProcess = require('child_process') as typeof import('child_process');
    const realFork = childProcess.fork;
    const forked: ChildProcess[] = [];
    jest.spyOn(childProcess, 'fork').mockImplementation(((...args: Parameters<typeof realFork>) => {
      const child = realFork(...args);
      forked.push(child);
      return child;
    }) as typeof realFork);
    let inProcess: TrainResult[];
    let started: number;
    try {
      // Workers forked ahead when a job starts: 0 without preparation (each job forks its own).
      let ahead = 0;
      let starts = 0;
      const isolated = (await runJobs(jobs, { parallel: 2, isolation: 'process', threadsPerJob: 1 }, (e) => {
        if (e.type === 'start') ahead = Math.max(ahead, forked.length - starts++);
      })) as TrainResult[];
      expect(ahead).toBeGreaterThanOrEqual(1);
      started = forked.length;
      inProcess = (await runJobs(jobs, { parallel: 2, isolation: 'inline' })) as TrainResult[];
      expect(isolated.map((r) => r.kind)).toEqual(jobs.map(() => 'train'));
      expect(isolated.map(numbers)).toEqual(inProcess.map(numbers));
      expect(isolated.every((r) => r.rssPeakBytes! > 0)).toBe(true);
    } finally {
      jest.restoreAllMocks();
    }
    expect(started).toBeGreaterThanOrEqual(jobs.length);
    expect(started).toBeLessThanOrEqual(jobs.length + 2);
    // Every worker, used or dismissed, exits.
    await Promise.all(forked.map((child) => (child.exitCode !== null || child.signalCode !== null ? null : new Promise((resolve) => child.once('exit', resolve)))));
    expect(forked.every((child) => child.exitCode !== null || child.signalCode !== null)).toBe(true);
  }, 120_000);
});
