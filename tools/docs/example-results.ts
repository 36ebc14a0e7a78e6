/**
 * Writes the result files that examples/README.md quotes: each example run (and the variants the
 * README mentions) through `runPipeline` / `runSearch`, exactly as `loopflow run` / `loopflow
 * search` run them, into examples/<example>/results/<label>/.
 *
 *   npx ts-node tools/docs/example-results.ts            # every run (about 15 minutes on 2 quiet cores)
 *   npx ts-node tools/docs/example-results.ts co2 search # only the runs whose label starts so
 *   LOOPFLOW_BACKEND=wasm-simd npx ts-node tools/docs/example-results.ts co2-forecast/seed-1
 *                                                        # -> results/seed-1.wasm-simd (a backend set by the
 *                                                        #    environment names the folder; LOOPFLOW_FUSED=0 -> .unfused)
 *   npx ts-node tools/docs/example-results.ts figures    # only figures.json, from the folders already written
 *
 * Each folder keeps what the README quotes and nothing bulky: `summary.json` and `definition.json`
 * as the run wrote them, `samples.txt` when the run wrote one (a search: `results.jsonl` and
 * `best.json`), and `run.json`, written here: the command, the overrides, the backend and threads
 * that ran (the numbers are the same for the same command on the same backend; the reference and
 * WebAssembly backends round differently), the wall time, the load average before and after, Node's
 * version and the date. The model, checkpoints, metrics log and report stay out (run the command
 * to get them). Last, `figures.json` beside them holds what the README derives from several of them
 * (a mean over seeds, a difference, a share), computed here. doc-figures.spec.ts checks the
 * README's figures against these files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lastValueFrom, tap } from 'rxjs';
import { getBackendName, getBackendThreads } from '@loopflow/tensor';
import { fusedKernelsAvailable, fusedKernelsInfo } from '@loopflow/cells';
import { DefinitionOverrides, loadDefinition, runPipeline, runSearch } from '@loopflow/pipeline';

const root = path.resolve(__dirname, '..', '..');

interface ExampleRun {
  /** examples/<example>/results/<label>/ */
  example: string;
  label: string;
  file: string;
  overrides?: DefinitionOverrides;
  search?: boolean;
}

const RUNS: ExampleRun[] = [
  { example: 'names-lstm', label: 'lstm', file: 'names-lstm/pipeline.json' },
  { example: 'names-lstm', label: 'gru', file: 'names-lstm/pipeline.json', overrides: { 'recurrent.cell': 'gru' } },
  { example: 'names-lstm', label: 'rnn', file: 'names-lstm/pipeline.json', overrides: { 'recurrent.cell': 'rnn' } },
  ...[1, 2, 3, 4, 5].map((seed) => ({
    example: 'co2-forecast',
    label: `seed-${seed}`,
    file: 'co2-forecast/pipeline.json',
    ...(seed === 1 ? {} : { overrides: { seed } }),
  })),
  ...['direct', 'indirect', 'lateral', 'complete'].map((kind) => ({ example: 'feedback-kinds', label: kind, file: `feedback-kinds/${kind}.json` })),
  { example: 'search', label: 'names-search', file: 'search/names-search.json', search: true },
  { example: 'spam-gru', label: 'mean-pooling', file: 'spam-gru/pipeline.json' },
  { example: 'spam-gru', label: 'last-pooling', file: 'spam-gru/pipeline.json', overrides: { 'recurrent.pooling': 'last' } },
];

const KEEP = ['summary.json', 'definition.json', 'samples.txt', 'results.jsonl', 'best.json'];

function commandOf(run: ExampleRun): string {
  const file = path.join('examples', run.file);
  if (run.search) return `npx loopflow search ${file}`;
  const changes = Object.entries(run.overrides ?? {}).map(([field, value]) => `${field} = ${JSON.stringify(value)}`);
  return `npx loopflow run ${file}${changes.length ? ` (a copy with ${changes.join(', ')})` : ''}`;
}

/** The environment's choice of kernels, as a suffix of the folder's name ('' for the defaults). */
function variant(): string {
  return [process.env.LOOPFLOW_BACKEND ? `.${process.env.LOOPFLOW_BACKEND}` : '', process.env.LOOPFLOW_FUSED === '0' ? '.unfused' : ''].join('');
}

async function one(run: ExampleRun): Promise<void> {
  const out = path.join(root, 'examples', run.example, 'results', `${run.label}${variant()}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-example-'));
  const loaded = loadDefinition(path.join(root, 'examples', run.file));
  const load = os.loadavg()[0];
  const started = Date.now();
  let folder = '';
  process.stderr.write(`${run.example}/${run.label}: ${commandOf(run)}\n`);
  if (run.search) {
    await lastValueFrom(runSearch(loaded, { runsDir: scratch }).pipe(tap((e) => { if (e.type === 'search-start') folder = e.searchDir; })));
  } else {
    await lastValueFrom(
      runPipeline(loaded, { runsDir: scratch, ...(run.overrides ? { overrides: run.overrides } : {}) }).pipe(
        tap((e) => {
          if (e.type === 'run-start') folder = e.runDir;
          if (e.type === 'epoch') process.stderr.write(`  epoch ${e.epoch} ${e.trainLoss.toFixed(4)}\n`);
        }),
      ),
    );
  }
  const seconds = (Date.now() - started) / 1000;
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const name of KEEP) {
    if (fs.existsSync(path.join(folder, name))) fs.copyFileSync(path.join(folder, name), path.join(out, name));
  }
  const facts = {
    command: commandOf(run),
    overrides: run.overrides ?? {},
    writtenBy: 'npx ts-node tools/docs/example-results.ts',
    backend: getBackendName(),
    threads: getBackendThreads(),
    fusedRecurrentKernels: process.env.LOOPFLOW_FUSED === '0' ? 'off (LOOPFLOW_FUSED=0)' : fusedKernelsAvailable() ? fusedKernelsInfo() : 'not available',
    wallSeconds: Math.round(seconds * 10) / 10,
    loadAverage: { before: Math.round(load * 10) / 10, after: Math.round(os.loadavg()[0] * 10) / 10 },
    cpus: os.cpus().length,
    node: process.version,
    date: new Date(started).toISOString(),
  };
  fs.writeFileSync(path.join(out, 'run.json'), `${JSON.stringify(facts, null, 2)}\n`);
  fs.rmSync(scratch, { recursive: true, force: true });
  process.stderr.write(`  -> ${path.relative(root, out)} (${facts.wallSeconds} s, load ${facts.loadAverage.before} -> ${facts.loadAverage.after})\n`);
}

type Summary = { metrics?: Record<string, Record<string, number>>; baselines?: { name: string; metrics: Record<string, Record<string, number>> }[]; generated?: { count: number; novel: number }; confusion?: Record<string, number[][]>; labels?: string[] };
const read = (example: string, label: string): Summary => JSON.parse(fs.readFileSync(path.join(root, 'examples', example, 'results', label, 'summary.json'), 'utf8'));

/** What the README derives from several result files: written to examples/<example>/results/figures.json. */
function figures(): void {
  const write = (example: string, value: unknown): void => {
    fs.writeFileSync(path.join(root, 'examples', example, 'results', 'figures.json'), `${JSON.stringify({ writtenBy: 'npx ts-node tools/docs/example-results.ts figures', ...(value as object) }, null, 2)}\n`);
  };
  const lstm = read('names-lstm', 'lstm');
  const bigram = lstm.baselines!.find((b) => b.name === 'bigram')!;
  write('names-lstm', {
    testLossLstmMinusBigram: lstm.metrics!.test.loss - bigram.metrics.test.loss,
    newSamplesPercent: (100 * lstm.generated!.novel) / lstm.generated!.count,
  });
  const seeds = [1, 2, 3, 4, 5].map((seed) => read('co2-forecast', `seed-${seed}`).metrics!.test.rmse);
  write('co2-forecast', { testRmseBySeed: seeds, testRmseMeanOverSeeds: seeds.reduce((a, b) => a + b, 0) / seeds.length });
  const spam = fs.existsSync(path.join(root, 'examples', 'spam-gru', 'results', 'mean-pooling')) ? read('spam-gru', 'mean-pooling') : null;
  if (spam?.confusion?.test) {
    const rows = spam.confusion.test.map((row) => row.reduce((a, b) => a + b, 0)); // per true class
    write('spam-gru', { testMessagesByClass: Object.fromEntries((spam.labels ?? []).map((label, i) => [label, rows[i]])), testMessages: rows.reduce((a, b) => a + b, 0) });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'figures') return figures();
  const only = process.argv.slice(2);
  const runs = only.length ? RUNS.filter((r) => only.some((o) => `${r.example}/${r.label}`.startsWith(o) || r.label.startsWith(o))) : RUNS;
  for (const run of runs) await one(run);
  if (!only.length && !variant()) figures();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
