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
  /** Calls `handler` on Ctrl-C (SIGINT) and on SIGTERM; returns a function that removes it. */
  onInterrupt?(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
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
      const onInt = (): void => handler('SIGINT');
      const onTerm = (): void => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}

/**
 * Exit codes: 0 success, 1 a failed run (or a search where no trial completed), 2 a usage or
 * validation error, 130 interrupted (Ctrl-C or SIGTERM; the run stopped at a batch boundary
 * and wrote a checkpoint).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;
