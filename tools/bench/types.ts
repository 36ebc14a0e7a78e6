/** What a bench module exports and receives (apart from index.ts, which loads the benches: no import cycle). */

/** What a bench receives. */
export interface BenchContext {
  /** True with `--json`: emit results with `emit`, keep stdout free of anything else. */
  readonly json: boolean;
  /** Arguments after the bench name, without `--json`. */
  readonly args: readonly string[];
  /** Prints one result as a JSON line (only in JSON mode; otherwise ignored). */
  emit(result: Record<string, unknown>): void;
  /** Prints a human-readable line: to stdout normally, to stderr in JSON mode. */
  log(line: string): void;
}

/** A bench module's export. */
export interface Bench {
  /** One line for the usage text. */
  readonly description: string;
  /** Its usage text (`npm run bench -- <name> --help`); the first line follows a usage error. */
  readonly usage?: string;
  run(context: BenchContext): void | Promise<void>;
}
