/**
 * Builds the playground into packages/playground/dist: the page and its worker bundled by
 * esbuild for browsers (ES modules), index.html and style.css copied, the example definitions
 * of examples/ gathered into examples.json, and the data the dataset stages read, as small
 * static files written from @loopflow/datasets' loaders (so the page holds exactly the data
 * `loopflow run` reads):
 *   data/first-names.json  the two name lists as the stdlib packages ship them ({ female, male })
 *   data/co2.json          the monthly CO2 series with its gaps filled ({ date, co2, adjustedCo2 }[])
 *
 * No plugins, aliases or shims: the page imports `@loopflow/pipeline/browser` (resolved, like
 * every @loopflow package, through the root tsconfig's paths to the sources), and no module a
 * page bundles imports a Node built-in at its top.
 *
 * `ts-node packages/playground/scripts/build.ts` (the project's `build` target; `npm run
 * playground` builds, then serves). Needs the WebAssembly kernels (`node tools/build-wasm.js`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { loadCo2Concentration, loadFirstNames } from '@loopflow/datasets';

export const PLAYGROUND_ROOT = path.resolve(__dirname, '..');
const ROOT = path.resolve(PLAYGROUND_ROOT, '..', '..');

/** One example as the page lists it. */
export interface PlaygroundExample {
  id: string;
  title: string;
  text: string;
}

function readExample(file: string): Record<string, unknown> {
  const value = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as Record<string, unknown>;
  delete value.$schema; // points at a file of the repository, not of the page
  return value;
}

type Stage = Record<string, unknown> & { stage: string };

/** The definition with some stages' options changed (a short run of an example) and a new name and description. */
function shortened(definition: Record<string, unknown>, name: string, description: string, change: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const stages = (definition.stages as Stage[]).map((s) => (change[s.stage] ? { ...s, ...change[s.stage] } : s));
  return { ...definition, name, description, stages };
}

/** JSON on one line, with a space after each ':' and ',' and inside braces: `{ "stage": "batch", "batchSize": 64 }`. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

/** A definition as the editor shows it: one line per top-level field and per stage (as examples/ writes them). */
export function definitionText(definition: Record<string, unknown>): string {
  const lines = Object.entries(definition).map(([key, value]) =>
    key === 'stages' && Array.isArray(value)
      ? `  "stages": [\n${value.map((stage) => `    ${oneLine(stage)}`).join(',\n')}\n  ]`
      : `  ${JSON.stringify(key)}: ${oneLine(value)}`,
  );
  return `{\n${lines.join(',\n')}\n}\n`;
}

const text = definitionText;

/** The examples the page offers: examples/ as they are, and short runs of the char-LM and the forecast for a page. */
export function playgroundExamples(): PlaygroundExample[] {
  const names = readExample('names-lstm/pipeline.json');
  const co2 = readExample('co2-forecast/pipeline.json');
  return [
    {
      id: 'names-quick',
      title: 'char-LM: names, LSTM (short run)',
      text: text(shortened(names, 'names-lstm-quick', 'examples/names-lstm, shortened for a page: an LSTM of 64 units, 2 epochs; it makes up new names and is measured beside a bigram model fitted on the same training split.', {
        recurrent: { hiddenSize: 64 },
        train: { epochs: 2, optimizer: { kind: 'adam', lr: 0.01 }, clipGradNorm: 1 },
        samples: { count: 20, temperature: 0.8, maxLength: 20 },
      })),
    },
    { id: 'names-lstm', title: 'char-LM: names, LSTM (examples/names-lstm)', text: text(names) },
    {
      id: 'co2-quick',
      title: 'CO2 forecast (short run)',
      text: text(shortened(co2, 'co2-forecast-quick', 'examples/co2-forecast, shortened for a page: 15 epochs; forecasts monthly CO2 twelve months ahead, beside the seasonal-naive baselines.', {
        train: { epochs: 15 },
      })),
    },
    { id: 'co2-forecast', title: 'CO2 forecast (examples/co2-forecast)', text: text(co2) },
    ...['lateral', 'direct', 'indirect', 'complete'].map((kind) => ({
      id: `feedback-${kind}`,
      title: `feedback kinds: ${kind} (examples/feedback-kinds)`,
      text: text(readExample(`feedback-kinds/${kind}.json`)),
    })),
  ];
}

/** Builds the playground into `outDir` (default packages/playground/dist); returns the folder. */
export async function buildPlayground(outDir = path.join(PLAYGROUND_ROOT, 'dist')): Promise<string> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'data'), { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { main: path.join(PLAYGROUND_ROOT, 'page', 'main.ts'), worker: path.join(PLAYGROUND_ROOT, 'page', 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
    tsconfig: path.join(PLAYGROUND_ROOT, 'page', 'tsconfig.json'),
    legalComments: 'none',
  });
  for (const file of ['index.html', 'style.css']) fs.copyFileSync(path.join(PLAYGROUND_ROOT, 'page', file), path.join(outDir, file));
  fs.writeFileSync(path.join(outDir, 'examples.json'), JSON.stringify(playgroundExamples()));
  const { female, male } = loadFirstNames();
  fs.writeFileSync(path.join(outDir, 'data', 'first-names.json'), JSON.stringify({ female, male }));
  const months = loadCo2Concentration().months.map((m) => ({ date: m.date, co2: m.co2, adjustedCo2: m.adjustedCo2 }));
  fs.writeFileSync(path.join(outDir, 'data', 'co2.json'), JSON.stringify(months));
  return outDir;
}

if (require.main === module) {
  buildPlayground().then(
    (dir) => process.stdout.write(`playground built in ${path.relative(process.cwd(), dir) || '.'}\n`),
    (err: unknown) => {
      process.stderr.write(`playground build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
