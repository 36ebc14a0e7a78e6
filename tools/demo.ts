/**
 * The demonstration behind `npm start`: runs the examples/names-lstm pipeline end to end — a
 * character LSTM over 8,422 English first names beside a bigram baseline, then 200 made-up
 * names — with progress on stderr, and prints where its report is.
 *
 *   npm start                 # the full example (about 30 epochs; 1-3 minutes on 2 cores)
 *   npm start -- --quick      # a shortened run: 3 epochs on a quarter of the names (seconds)
 *   npm start -- --example examples/co2-forecast/pipeline.json   # any definition (path from the repository root)
 *   npm start -- --example examples/spam-gru/pipeline.json --quick
 *
 * Exit code 0 when the run completed, 1 when it failed, 130 when Ctrl-C (SIGINT) or SIGTERM
 * stopped it: as with `loopflow run`, the first signal stops training at the next batch boundary
 * and writes a checkpoint there, and the demo prints the `loopflow run ... --resume` command that
 * continues it; a second signal stops at once.
 */
import * as path from 'path';
import { lastValueFrom, tap } from 'rxjs';
import { DefinitionOverrides, formatInspection, inspectRun, loadDefinition, runPipeline } from '@loopflow/pipeline';
import { createProgress, formatDuration, nodeIO } from '@loopflow/cli';

const root = path.resolve(__dirname, '..');

/** The shortened setting of `--quick`, per example source (fewer epochs, less data). */
const QUICK: Record<string, DefinitionOverrides> = {
  'first-names': { 'first-names.limit': 2000, 'train.epochs': 3, 'samples.count': 40 },
  co2: { 'train.epochs': 5 },
  'spam-assassin': { 'spam-assassin.limit': 600, 'train.epochs': 1 },
};

/** What `inspect` can do with the model of each task (a classifier neither samples nor forecasts). */
const MORE: Record<string, string> = {
  'language-model': ' --samples 10 --temperature 0.8',
  forecast: ' --forecast 12',
};

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function demo(args: string[]): Promise<number> {
  const file = path.resolve(root, option(args, '--example') ?? path.join('examples', 'names-lstm', 'pipeline.json'));
  const quick = args.includes('--quick');
  const { definition, baseDir } = loadDefinition(file);
  const overrides = quick ? QUICK[definition.stages[0]?.stage] : undefined;
  const io = nodeIO();
  const started = Date.now();
  io.stderr.write(`loopflow demonstration: ${definition.name}${definition.description ? ` — ${definition.description}` : ''}\n`);
  io.stderr.write(`definition: ${path.relative(process.cwd(), file)}${overrides ? ` (shortened with --quick: ${JSON.stringify(overrides)})` : ''}\n`);
  const progress = createProgress(io);
  let runDir: string | undefined;
  const stop = { aborted: false };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.aborted) {
      io.stderr.write(`\ninterrupted at once (${signal})\n`);
      process.exit(130);
    }
    stop.aborted = true;
    progress.stop();
    io.stderr.write(`\n${signal}: stopping at the next batch boundary and writing a checkpoint (send it again to stop at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await lastValueFrom(
      runPipeline(definition, { baseDir, runsDir: path.join(root, 'runs'), signal: stop, ...(overrides ? { overrides } : {}) }).pipe(
        tap((event) => {
          if (event.type === 'run-start') {
            runDir = event.runDir;
            io.stderr.write(`run folder: ${path.relative(process.cwd(), runDir)}\n`);
          }
          progress.handle(event);
        }),
      ),
    );
  } catch (e) {
    progress.stop();
    const message = e instanceof Error ? e.message : String(e);
    if ((e as { code?: string }).code === 'INTERRUPTED') {
      io.stderr.write(`\ninterrupted: ${message}\n`);
      if (runDir) {
        const rel = (p: string): string => path.relative(process.cwd(), p) || '.';
        const out = path.dirname(runDir) === path.resolve('runs') ? '' : ` --out ${rel(path.dirname(runDir))}`;
        io.stderr.write(`resume with: npx loopflow run ${rel(file)} --resume ${rel(runDir)}${out}\n`);
      }
      return 130;
    }
    io.stderr.write(`the run failed: ${message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.stop();
  const folder = runDir as string;
  const inspection = inspectRun(folder);
  io.stdout.write(`\n${formatInspection(inspection)}\n\n`);
  io.stdout.write(`done in ${formatDuration((Date.now() - started) / 1000)}${quick ? ' (shortened run: --quick)' : ''}\n`);
  io.stdout.write(`report: ${path.join(folder, 'report.html')}   (open it in a browser: metrics beside the baseline, loss curves, samples, gradient flow)\n`);
  io.stdout.write(`more:   npx loopflow inspect ${path.relative(process.cwd(), folder)}${MORE[inspection.summary.task ?? ''] ?? ''}\n`);
  return 0;
}

demo(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
