import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from './atomic';
import type { RunSummary } from './summary';

/** Whether process `pid` of this machine is alive (signal 0 probes without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by someone else
  }
}

/** Checkpoint folders are named `epoch-NNNN[-step-NNNNNNNN]`. */
const CHECKPOINT_NAME = /^epoch-\d{4,}(-step-\d{8,})?$/;

/**
 * Removes what a killed run left half-written in its folder: temporary files (`*.tmp`, from
 * the atomic writes of the folder's files and of its checkpoints) and checkpoint folders
 * without a trainer.json (a checkpoint is committed by writing trainer.json last). Returns the
 * paths removed, relative to `runDir`. Only call it for a run whose process is gone.
 */
export function cleanRunFolder(runDir: string): string[] {
  const removed: string[] = [];
  const removeTmp = (dir: string): void => {
    for (const entry of safeList(dir)) {
      if (!entry.endsWith('.tmp')) continue;
      fs.rmSync(path.join(dir, entry), { force: true });
      removed.push(path.relative(runDir, path.join(dir, entry)));
    }
  };
  removeTmp(runDir);
  const checkpoints = path.join(runDir, 'checkpoints');
  for (const entry of safeList(checkpoints)) {
    const dir = path.join(checkpoints, entry);
    if (!CHECKPOINT_NAME.test(entry) || !fs.statSync(dir).isDirectory()) continue;
    if (fs.existsSync(path.join(dir, 'trainer.json'))) removeTmp(dir);
    else {
      fs.rmSync(dir, { recursive: true, force: true });
      removed.push(path.relative(runDir, dir));
    }
  }
  return removed;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A run found dead: its folder, the process it had, and what was cleaned. */
export interface KilledRun {
  runDir: string;
  pid: number;
  removed: string[];
}

/**
 * Marks a run folder whose summary says 'running' but whose process (same machine) is gone as
 * 'killed', and cleans what it left half-written. Returns null when the run is alive, finished,
 * of another machine, or has no summary.
 */
export function markIfKilled(runDir: string, now: Date = new Date()): KilledRun | null {
  const file = path.join(runDir, 'summary.json');
  let summary: RunSummary;
  try {
    summary = JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary;
  } catch {
    return null;
  }
  if (summary.status !== 'running' || typeof summary.pid !== 'number' || summary.host !== os.hostname() || processAlive(summary.pid)) return null;
  const removed = cleanRunFolder(runDir);
  summary.status = 'killed';
  summary.error = { code: 'RUN_KILLED', message: `the run's process (pid ${summary.pid}) ended without finishing the run (killed, or the machine stopped); noticed ${now.toISOString()}` };
  writeFileAtomic(file, JSON.stringify(summary, null, 2) + '\n');
  return { runDir, pid: summary.pid, removed };
}

/** {@link markIfKilled} for every run folder in `runsDir`. */
export function markKilledRuns(runsDir: string, now: Date = new Date()): KilledRun[] {
  const out: KilledRun[] = [];
  for (const entry of safeList(runsDir)) {
    const marked = markIfKilled(path.join(runsDir, entry), now);
    if (marked) out.push(marked);
  }
  return out;
}
