import * as fs from 'fs';
import * as path from 'path';
import { DefinitionError, formatInspection, formatProblems, inspectRun, RunEvent, runPipeline } from '@loopflow/pipeline';
import type { Command } from './command';
import { EXIT } from '../io';
import { createProgress } from '../progress';
import { errorJson, JSON_OPTION, loadChecked, MEMORY_LIMIT_OPTION, memoryLimitOf, messageOf, onePath, problemJson } from './shared';
import { UsageError } from '../args';
import { JsonOutput } from '../json';

/** The checkpoints to resume from: a run folder's `checkpoints/`, or the path as given. */
export function resumePath(given: string): string {
  const inRun = path.join(given, 'checkpoints');
  return fs.existsSync(inRun) ? inRun : given;
}

/** `loopflow run <file>`: runs a definition and leaves a run folder. */
export const runCommand: Command = {
  name: 'run',
  usage: 'run <file> [--out <folder>] [--resume <run folder>] [--memory-limit <MB>] [--quiet] [--json]',
  summary: 'Run a pipeline definition; writes runs/<name>-<time>/ (model, metrics.jsonl, report.html).',
  options: {
    out: { type: 'string', value: '<folder>', description: 'Where run folders go (default: runs).' },
    resume: {
      type: 'string',
      value: '<run folder>',
      description: 'Continue the training of a run from its last intact checkpoint (same definition; its learning rate may be lowered) in a new run folder (under --out) that holds the whole history, epoch 1 to the end; the resumed folder is left as it was.',
    },
    'memory-limit': MEMORY_LIMIT_OPTION,
    quiet: { type: 'flag', description: 'No progress output.' },
    json: JSON_OPTION,
  },
  async run(args, io) {
    const file = onePath(args.positionals, 'file', 'run');
    const json = args.options.json ? new JsonOutput(io.stdout) : null;
    const checked = loadChecked(file, io, { checkSearch: false, ...memoryLimitOf(args.options) }); // validated here, once; runPipeline takes it as it is
    if ('problems' in checked) {
      if (json) return json.result('run', EXIT.usage, { status: 'invalid', problems: checked.problems.map((p) => problemJson(p, file)) });
      io.stderr.write(`${formatProblems(checked.problems, file)}\n`);
      return EXIT.usage;
    }
    const loaded = checked.loaded;
    let resumeFrom: string | undefined;
    if (args.options.resume !== undefined) {
      resumeFrom = resumePath(path.resolve(io.cwd, String(args.options.resume)));
      if (!fs.existsSync(resumeFrom)) throw new UsageError(`option '--resume': ${args.options.resume} does not exist`, 'pass a run folder made by loopflow run');
    }
    const note = (line: string): void => {
      if (json) json.event({ type: 'log', message: line });
      else io.stderr.write(`${line}\n`);
    };
    if (loaded.definition.search) note(`note: run trains the definition as written and ignores its search block; use loopflow search ${file}`);
    const progress = createProgress(io, { quiet: Boolean(args.options.quiet) || json !== null });
    // as typed from the working folder: relative inside it, absolute outside (not ../../../tmp/runs)
    const relative = (p: string): string => {
      const from = path.relative(io.cwd, p);
      return from === '' ? '.' : from.startsWith('..') || path.isAbsolute(from) ? p : from;
    };
    const stop = { aborted: false };
    let runDir: string | undefined;
    let lastCheckpoint: string | undefined;
    // the resumed run's folder goes beside this one: --out when that is not the default (runs)
    const outOption = (): string => (runDir && path.dirname(runDir) !== path.resolve(io.cwd, 'runs') ? ` --out ${relative(path.dirname(runDir))}` : '');
    const resumeCommand = (): string => (runDir ? `loopflow run ${file} --resume ${relative(runDir)}${outOption()}` : `loopflow run ${file}`);
    return new Promise<number>((resolve) => {
      let stopInterrupt = (): void => undefined;
      const finish = (code: number, fields: Record<string, unknown>): void => {
        stopInterrupt();
        resolve(json ? json.result('run', code, { ...(runDir ? { runDir } : {}), ...fields }) : code);
      };
      const subscription = runPipeline(loaded, {
        runsDir: path.resolve(io.cwd, String(args.options.out ?? 'runs')),
        ...(resumeFrom ? { resumeFrom } : {}),
        signal: stop,
        ...(io.now ? { now: () => (io.now as () => Date)() } : {}),
      }).subscribe({
        next: (event: RunEvent) => {
          if (event.type === 'run-start') {
            runDir = event.runDir;
            if (!json) io.stderr.write(`run folder: ${relative(event.runDir)}\n`);
          }
          if (event.type === 'checkpoint') lastCheckpoint = event.path;
          if (json) json.event(event);
          else progress.handle(event);
        },
        error: (e) => {
          progress.stop();
          if (e instanceof DefinitionError) {
            if (!json) io.stderr.write(`${formatProblems(e.problems, file)}\n`);
            finish(EXIT.usage, { status: 'invalid', problems: e.problems.map((p) => problemJson(p, file)) });
            return;
          }
          const code = (e as { code?: string }).code;
          // the pipeline's hints name the definition and the run folder as placeholders / absolute paths: make them typeable here
          const message = messageOf(e).split('<definition>').join(file).split(`${io.cwd}${path.sep}`).join('');
          const summary = runDir ? readSummary(runDir) : undefined;
          if (code === 'INTERRUPTED') {
            if (!json) {
              io.stderr.write(`\ninterrupted: ${message}\n`);
              io.stderr.write(lastCheckpoint || summary?.resumedFrom ? `resume with: ${resumeCommand()}\n` : 'no checkpoint was written; run the definition again\n');
            }
            finish(EXIT.interrupted, { status: 'interrupted', error: { ...errorJson(e), message }, ...(summary ? { summary } : {}) });
            return;
          }
          if (!json) {
            io.stderr.write(`run failed: ${message}\n`);
            if (runDir) io.stderr.write(`the run folder keeps what was done: ${relative(runDir)} (summary.json, metrics.jsonl, checkpoints/)\n`);
          }
          finish(EXIT.failed, { status: 'failed', error: { ...errorJson(e), message }, ...(summary ? { summary } : {}) });
        },
        complete: () => {
          progress.stop();
          if (runDir && !json) {
            io.stdout.write(`${formatInspection(inspectRun(runDir))}\n`);
            io.stdout.write(`report: ${relative(path.join(runDir, 'report.html'))}\n`);
          }
          finish(EXIT.ok, { status: 'completed', ...(runDir ? { summary: readSummary(runDir), report: path.join(runDir, 'report.html') } : {}) });
        },
      });
      if (io.onInterrupt) {
        stopInterrupt = io.onInterrupt((signal) => {
          if (!stop.aborted) {
            // first signal: training stops at the next batch boundary and writes a checkpoint there
            stop.aborted = true;
            progress.stop();
            note(`\n${signal}: stopping at the next batch boundary and writing a checkpoint (${signal === 'SIGINT' ? 'press Ctrl-C again' : 'send it again'} to stop at once)`);
            return;
          }
          // second signal: stop at once (the last checkpoint written stays the one to resume from)
          subscription.unsubscribe();
          if (!json) io.stderr.write(`\ninterrupted at once (${signal}); ${lastCheckpoint ? `resume from the last checkpoint with: ${resumeCommand()}` : 'no checkpoint was written'}\n`);
          finish(EXIT.interrupted, { status: 'interrupted', error: { code: 'INTERRUPTED', message: `stopped at once by a second ${signal}` } });
        });
      }
    });
  },
};

/** summary.json of a run folder, or undefined when it cannot be read. */
function readSummary(runDir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
