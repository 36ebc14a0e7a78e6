import type { CliIO } from './io';

/** A CliIO whose streams collect text (not a terminal), for tests. */
export function fakeIO(cwd: string, env: Record<string, string | undefined> = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    cwd,
    env,
    out: () => out,
    err: () => err,
  };
}
