/** A stream the CLI writes to. */
export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: progress bars; otherwise plain periodic lines (CI logs). */
  isTTY?: boolean;
  columns?: number;
}

/**
 * Where the CLI reads and writes: the process's streams in `loopflow`, fakes in tests. Results
 * go to `stdout`; progress, problems and errors to `stderr`.
 */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** The folder relative paths are read from (the definition file, --out...). */
  cwd: string;
  env: Record<string, string | undefined>;
  /** Calls `handler` on Ctrl-C (SIGINT); returns a function that removes it. */
  onInterrupt?(handler: () => void): () => void;
  /** The clock (tests). */
  now?(): Date;
}

/** The process's streams, folder and environment. */
export function nodeIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
  };
}

/** Exit codes: 0 success, 1 a failed run, 2 a usage or validation error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
