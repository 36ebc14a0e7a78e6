import * as fs from 'fs';
import * as path from 'path';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `<name>-<YYYYMMDD>-<HHMMSS>` in local time. */
export function runFolderName(name: string, date: Date): string {
  return `${name}-${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** Creates `runsDir/<name>-<time>` (with `-2`, `-3`... when taken) and returns its path. */
export function createRunFolder(runsDir: string, name: string, date: Date): string {
  fs.mkdirSync(runsDir, { recursive: true });
  const base = path.join(runsDir, runFolderName(name, date));
  for (let n = 1; ; n++) {
    const dir = n === 1 ? base : `${base}-${n}`;
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Appends one JSON line per event to `metrics.jsonl` (each line is written whole). */
export class MetricsLog {
  private fd: number | null;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }
  write(record: object): void {
    if (this.fd !== null) fs.writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }
  /** Closes the file (again: nothing). */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads `metrics.jsonl` (skipping a torn last line). */
export function readMetricsLog(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a line cut by a crash */
    }
  }
  return out;
}
