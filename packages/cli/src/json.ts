import type { OutputStream } from './io';

/**
 * One JSON line: numbers that JSON cannot hold (NaN, Infinity) are written as the strings
 * "NaN", "Infinity", "-Infinity" instead of null, so a diverged loss stays visible.
 */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
}

/** The last line of every `--json` command: what happened and the exit code. */
export interface JsonResult {
  type: 'result';
  command: string;
  exitCode: number;
  [field: string]: unknown;
}

/** Writes `--json` output: events as they happen, the result object last (stdout only). */
export class JsonOutput {
  constructor(private readonly out: OutputStream) {}
  event(event: object): void {
    this.out.write(jsonLine(event));
  }
  result(command: string, exitCode: number, fields: Record<string, unknown> = {}): number {
    this.out.write(jsonLine({ type: 'result', command, exitCode, ...fields } satisfies JsonResult));
    return exitCode;
  }
}
