import * as fs from 'fs';
import * as path from 'path';
import { DefinitionError, formatInspection, formatProblems, inspectRun, RunEvent, runPipeline } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { createProgress } from '../progress';
import { loadOrReport, messageOf, onePath } from './shared';
import { UsageError } from '../args';

/** The checkpoints to resume from: a run folder's `checkpoints/`, or the path as given. */
export function resumePath(given: string): string {
  const inRun = path.join(given, 'checkpoints');
  return fs.existsSync(inRun) ? inRun : given;
}

/** `loopflow run <file>`: runs a definition and leaves a run folder. */
export const runCommand: Command = {
  name: 'run',
  usage: 'run <file> [--out <folder>] [--resume <run folder>] [--quiet]',
  summary: 'Run a pipeline definition; writes runs/<name>-<time>/ (model, metrics.jsonl, report.html).',
  options: {
    out: { type: 'string', value: '<folder>', description: 'Where run folders go (default: runs).' },
    resume: { type: 'string', value: '<run folder>', description: "Continue the training of a run from its last checkpoint (same definition)." },
    quiet: { type: 'flag', description: 'No progress output.' },
  },
  async run(args, io) {
    const file = onePath(args.positionals, 'file', 'run');
    const loaded = loadOrReport(file, io, { checkSearch: false }); // validated here, once; runPipeline takes it as it is
    if (!loaded) return EXIT.usage;
    let resumeFrom: string | undefined;
    if (args.options.resume !== undefined) {
      resumeFrom = resumePath(path.resolve(io.cwd, String(args.options.resume)));
      if (!fs.existsSync(resumeFrom)) throw new UsageError(`--resume: ${args.options.resume} does not exist`, 'pass a run folder made by loopflow run');
    }
    if (loaded.definition.search) io.stderr.write(`note: run trains the definition as written and ignores its search block; use loopflow search ${file}\n`);
    const progress = createProgress(io, { quiet: Boolean(args.options.quiet) });
    let runDir: string | undefined;
    return new Promise<number>((resolve) => {
      let stopInterrupt = (): void => undefined;
      const finish = (code: number): void => {
        stopInterrupt();
        resolve(code);
      };
      const subscription = runPipeline(loaded, {
        runsDir: path.resolve(io.cwd, String(args.options.out ?? 'runs')),
        ...(resumeFrom ? { resumeFrom } : {}),
        ...(io.now ? { now: () => (io.now as () => Date)() } : {}),
      }).subscribe({
        next: (event: RunEvent) => {
          if (event.type === 'run-start') {
            runDir = event.runDir;
            io.stderr.write(`run folder: ${path.relative(io.cwd, event.runDir) || '.'}\n`);
          }
          progress.handle(event);
        },
        error: (e) => {
          progress.stop();
          if (e instanceof DefinitionError) {
            io.stderr.write(`${formatProblems(e.problems, file)}\n`);
            finish(EXIT.usage);
            return;
          }
          io.stderr.write(`run failed: ${messageOf(e)}\n`);
          if (runDir) io.stderr.write(`the run folder keeps what was done: ${path.relative(io.cwd, runDir)} (summary.json, metrics.jsonl, checkpoints/)\n`);
          finish(EXIT.failed);
        },
        complete: () => {
          progress.stop();
          if (runDir) {
            io.stdout.write(`${formatInspection(inspectRun(runDir))}\n`);
            io.stdout.write(`report: ${path.relative(io.cwd, path.join(runDir, 'report.html'))}\n`);
          }
          finish(EXIT.ok);
        },
      });
      if (io.onInterrupt) {
        stopInterrupt = io.onInterrupt(() => {
          subscription.unsubscribe();
          progress.stop();
          io.stderr.write(`\ninterrupted${runDir ? `; resume with: loopflow run ${file} --resume ${path.relative(io.cwd, runDir)}` : ''}\n`);
          finish(EXIT.failed);
        });
      }
    });
  },
};
