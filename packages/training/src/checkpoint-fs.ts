import { nodeModule } from '@loopflow/tensor';
import { TrainError } from './errors';

/**
 * The few synchronous file operations checkpoints use, as an interface so a test can inject
 * a file system that fails at a chosen operation (a simulated crash). Node's `fs` fits it.
 */
export interface CheckpointFs {
  existsSync(path: string): boolean;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): string[];
  readFileSync(path: string): Uint8Array;
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  rmSync(path: string, options: { recursive: true; force: true }): void;
}

/** Node's `fs`, loaded on use (the rest of the trainer runs where there is no file system). */
export function nodeFs(): CheckpointFs {
  const fs = nodeModule('fs');
  if (!fs) throw new TrainError('CHECKPOINT_IO', 'checkpoints are files: writing or reading them needs Node.js (its fs module)');
  return fs as CheckpointFs;
}

/** `path.join` without importing `path` at module load (plain `/` joining where there is no Node). */
export function joinPath(...parts: string[]): string {
  return nodeModule('path')?.join(...parts) ?? parts.join('/').replace(/\/+/g, '/');
}

/** Flushes a folder's entries (a rename or a new file) to disk, where folders can be opened. */
export function fsyncDir(fs: CheckpointFs, dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    /* best effort: not possible on every platform */
  } finally {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* ignore */ }
    }
  }
}

/**
 * Writes `bytes` to `path` atomically: to `path + '.tmp'`, flushed to disk (fsync), then
 * renamed over `path`. A crash leaves either no `path` (or its old content) or the whole new
 * content, plus possibly a stray `.tmp` file.
 */
export function writeFileAtomic(fs: CheckpointFs, path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, path);
}
