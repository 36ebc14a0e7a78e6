import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/** Where Debian puts redis-server (.ci/run installs it when missing). */
export const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * Whether the Redis tests run: redis-server is there. Outside CI a machine without it skips
 * them; in CI (CI=true) a missing redis-server is a failure, not a skip.
 */
export function redisTestsEnabled(): boolean {
  if (fs.existsSync(REDIS_SERVER)) return true;
  if (process.env.CI === 'true') throw new Error(`${REDIS_SERVER} is missing in CI: .ci/run installs Debian's redis-server; the distributed tests need it`);
  return false;
}

/** A free TCP port of 127.0.0.1 (asked of the system). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of a test: no persistence, on 127.0.0.1 only. */
export interface TestRedis {
  port: number;
  url: string;
  /** Stops it (SIGTERM, then SIGKILL) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts redis-server on `port` (default: a free one) and waits until it accepts connections. */
export async function startRedis(port?: number, password?: string): Promise<TestRedis> {
  const p = port ?? (await freePort());
  const args = ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(password ? ['--requirepass', password] : [])];
  const child: ChildProcess = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${p} did not start within 10 s:\n${output}`)), 10000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/ready to accept connections/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server on port ${p} exited (code ${code}):\n${output}`));
    });
  });
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return {
    port: p,
    url: `redis://${password ? `:${password}@` : ''}127.0.0.1:${p}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
