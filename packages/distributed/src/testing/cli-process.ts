import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

/** The loopflow command of this checkout (its bin runs the sources through ts-node). */
export const LOOPFLOW_BIN = path.resolve(__dirname, '..', '..', '..', 'cli', 'bin', 'loopflow.js');

/** A `loopflow worker` process of a test, with what it printed. */
export interface WorkerProcess {
  child: ChildProcess;
  /** stderr so far (the worker's log). */
  log(): string;
  /** Resolves when its log matches `pattern` (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `loopflow worker --queue url ...args` in a process of its own. */
export function startWorkerProcess(url: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const child = spawn(process.execPath, [LOOPFLOW_BIN, 'worker', '--queue', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = text.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    log: () => text,
    waitFor(pattern, ms = 60000) {
      const m = text.match(pattern);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker ${child.pid}: no ${pattern} within ${ms} ms; its log:\n${text}`)), ms);
        waiters.push({ pattern, resolve: (found) => (clearTimeout(timer), resolve(found)) });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
