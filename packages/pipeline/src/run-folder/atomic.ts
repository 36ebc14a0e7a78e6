import { nodeBuiltin } from '../platform/node';

/**
 * Writes a file atomically: to a temporary file beside it, flushed to disk, then renamed over
 * the target. A run killed at any moment leaves the old file or the new one, never a torn one.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const fs = nodeBuiltin('fs', `writing ${file}`);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}
