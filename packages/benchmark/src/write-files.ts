import * as fs from 'fs';
import * as path from 'path';

/** Writes a file atomically: a temporary file in the same folder, then a rename. */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

/** A run folder name: `compare-<suite>-YYYYMMDD-HHMMSS` (local time). */
export function runFolderName(suite: string, now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `compare-${suite}-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}
