/**
 * The packages as a user gets them. Builds every package (`npm run build`, Nx-cached), packs
 * each public one with `npm pack`, creates a project outside the repository (in the system's
 * temporary folder), installs the tarballs there with npm, and checks what a user does first:
 *   1. an ES module imports tensor, layers, cells, losses and optimizers and trains a char-LSTM
 *      for 20 steps on the WebAssembly kernels (fused kernels on, loss falling);
 *   2. the same through `require`;
 *   3. a strict TypeScript file type-checks against the shipped declarations (`tsc --noEmit`);
 *   4. the installed `loopflow` CLI validates and runs a definition with a CSV source, and the
 *      project's node_modules holds no ts-node or tsconfig-paths;
 *   5. a project with only tensor, layers and cells stays under 5 MB of node_modules (printed);
 *   6. `@loopflow/pipeline/browser` bundles from the installed dist with esbuild's defaults for
 *      a browser (format esm; no plugins, aliases or shims) and, run where there is no Node
 *      (node:vm), validates a definition and trains a char-LSTM through the stages; in Node
 *      the subpath is the full entry (one copy of the package).
 * Third-party dependencies come from the npm registry (or npm's cache, which `npm ci` filled).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';
import { loadFirstNames } from '@loopflow/datasets';
import type { DefinitionProblem } from '@loopflow/pipeline/browser';
import type { PipelineTraining } from '../browser/pages/pipeline-page';
import {
  CSV_DEFINITION, TRAINING_PACKAGES, TSCONFIG, TYPED_FILE, commonJsTrainingScript, csvSearchDefinition, esmTrainingScript, seriesCsv,
} from './consumer';

const root = path.resolve(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The small install's limit (the packaging issue): tensor + layers + cells. */
const SMALL_INSTALL_LIMIT = 5 * 1024 * 1024;

/** Runs a command; on failure the error carries its output (what npm or node said). */
function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (cause) {
    const e = cause as { stdout?: string; stderr?: string; status?: number };
    throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited ${e.status}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Public packages (package.json without `private`), by folder name. */
function publicPackages(): string[] {
  return fs
    .readdirSync(path.join(root, 'packages'))
    .filter((dir) => {
      const file = path.join(root, 'packages', dir, 'package.json');
      return fs.existsSync(file) && !JSON.parse(fs.readFileSync(file, 'utf8')).private;
    })
    .sort();
}

/** Bytes of every file below `dir` (what `du --apparent-size` counts). */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

/** A new project in `dir` with the given tarballs (and extra registry packages) installed. */
function createProject(dir: string, tarballs: readonly string[], extra: readonly string[] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), version: '1.0.0', private: true }, null, 2));
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...extra], dir);
}

const typesNode = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies['@types/node'] as string;

let work: string;
let project: string;
const tarball = new Map<string, string>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-packaging-'));
  run(npm, ['run', '-s', 'build'], root);
  const packs = path.join(work, 'packs');
  fs.mkdirSync(packs);
  for (const name of publicPackages()) {
    // The build just ran; --ignore-scripts skips each package's prepack (the same build again).
    const out = run(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', packs], path.join(root, 'packages', name)).trim();
    tarball.set(name, path.join(packs, out.split('\n').pop() as string));
  }
  project = path.join(work, 'project');
  createProject(project, [...tarball.values()], [`@types/node@${typesNode}`]);
}, 900_000);

afterAll(() => {
  if (work && !process.env.LOOPFLOW_KEEP_PACKAGING) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed packages in a project outside the repository', () => {
  it('are installed from tarballs that hold built JavaScript, declarations and no specs', () => {
    expect(project.startsWith(root)).toBe(false);
    const files = run('tar', ['-tzf', tarball.get('cells') as string], work).split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.cjs', 'package/dist/index.mjs', 'package/dist/index.d.ts', 'package/LICENSE']));
    expect(files.filter((f) => f.endsWith('.spec.ts'))).toEqual([]);
  });

  function training(file: string, text: string): { backend: string; fused: boolean; losses: number[] } {
    fs.writeFileSync(path.join(project, file), text);
    const lines = run(process.execPath, [file], project).trim().split('\n');
    return JSON.parse(lines[lines.length - 1]);
  }

  function expectTrained(result: { backend: string; fused: boolean; losses: number[] }): void {
    expect(result.backend).toMatch(/^wasm-/);
    expect(result.fused).toBe(true);
    expect(result.losses).toHaveLength(20);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    const first = result.losses.slice(0, 4).reduce((a, b) => a + b) / 4;
    const last = result.losses.slice(-4).reduce((a, b) => a + b) / 4;
    expect(last).toBeLessThan(0.7 * first); // 20 Adam steps at lr 0.03 take it to about 0.45 of the start
  }

  it(`trains a char-LSTM from an ES module (${TRAINING_PACKAGES.join(', ')}) on the WebAssembly kernels`, () => {
    expectTrained(training('train.mjs', esmTrainingScript()));
  }, 120_000);

  it('trains the same through require, to the same losses', () => {
    const viaRequire = training('train.cjs', commonJsTrainingScript());
    expectTrained(viaRequire);
    const viaImport = training('train.mjs', esmTrainingScript());
    expect(viaRequire.losses).toEqual(viaImport.losses);
  }, 120_000);

  it('type-checks a strict TypeScript file against the shipped declarations', () => {
    fs.writeFileSync(path.join(project, 'check.ts'), TYPED_FILE);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), TSCONFIG);
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  }, 120_000);

  it('runs the installed CLI on a definition with a CSV source, with no ts-node installed', () => {
    fs.mkdirSync(path.join(project, 'data'), { recursive: true });
    fs.writeFileSync(path.join(project, 'data', 'series.csv'), seriesCsv());
    fs.writeFileSync(path.join(project, 'forecast.json'), CSV_DEFINITION);
    const bin = path.join(project, 'node_modules', '.bin', 'loopflow');
    expect(run(bin, ['validate', 'forecast.json'], project)).toContain('ok: forecast.json');
    run(bin, ['run', 'forecast.json', '--quiet', '--out', 'runs'], project);
    const [folder] = fs.readdirSync(path.join(project, 'runs'));
    const summary = JSON.parse(fs.readFileSync(path.join(project, 'runs', folder, 'summary.json'), 'utf8'));
    expect(summary.status).toBe('completed');
    expect(fs.existsSync(path.join(project, 'node_modules', 'ts-node'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'node_modules', 'tsconfig-paths'))).toBe(false);
  }, 300_000);

  it('runs search trials and comparison jobs on their compiled workers, and inspects a run', () => {
    // With no ts-node in the project (checked above), a worker that tried to start from the
    // TypeScript sources would fail: these pass only on the compiled worker entries.
    fs.writeFileSync(path.join(project, 'search.json'), csvSearchDefinition());
    const bin = path.join(project, 'node_modules', '.bin', 'loopflow');
    const searched = run(bin, ['search', 'search.json', '--quiet', '--out', 'searches'], project);
    expect(searched).toMatch(/best/i);
    const [searchFolder] = fs.readdirSync(path.join(project, 'searches'));
    expect(fs.existsSync(path.join(project, 'searches', searchFolder, 'best.json'))).toBe(true);
    run(bin, ['compare', '--tiny', '--tasks', 'adding', '--models', 'rnn', '--seeds', '1', '--out', 'compare'], project);
    expect(fs.readdirSync(path.join(project, 'compare')).length).toBeGreaterThan(0);
    const [folder] = fs.readdirSync(path.join(project, 'runs'));
    expect(run(bin, ['inspect', path.join('runs', folder)], project)).toContain('csv-forecast');
  }, 600_000);

  it("bundles @loopflow/pipeline/browser from the installed dist with esbuild's defaults; where there is no Node it validates and trains", async () => {
    // The page of the Chromium test (tools/browser/pages/pipeline-page.ts), its imports resolved in the project.
    const page = fs.readFileSync(path.join(root, 'tools', 'browser', 'pages', 'pipeline-page.ts'), 'utf8');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const bundle = (format: 'esm' | 'iife') =>
      esbuild.build({ stdin: { contents: page, resolveDir: project, sourcefile: 'pipeline-page.ts', loader: 'ts' }, absWorkingDir: project, bundle: true, format, platform: 'browser', write: false, metafile: true, logLevel: 'silent' });
    const esm = await bundle('esm');
    const inputs = Object.keys(esm.metafile!.inputs);
    expect(inputs).toContain('node_modules/@loopflow/pipeline/dist/browser.mjs');
    expect(inputs.filter((file) => file.startsWith('node_modules/@loopflow/pipeline/'))).toEqual(['node_modules/@loopflow/pipeline/dist/browser.mjs']);
    expect(inputs.filter((file) => file.startsWith('node_modules/@loopflow/datasets/') || file.startsWith('node_modules/csv-parse/'))).toEqual([]);

    // Run the same bundle (as a classic script) where a page's globals are and Node's are not.
    const code = (await bundle('iife')).outputFiles[0].text;
    const context = vm.createContext({ console, performance, setTimeout, clearTimeout, queueMicrotask, URL, TextEncoder, TextDecoder });
    vm.runInContext(code, context, { filename: 'pipeline-page.js' });
    const api = (context as { loopflowPipeline: { validateBroken(): DefinitionProblem[]; runNodeOnlyStage(): Promise<{ code?: string }>; trainNames(names: string[], epochs: number): Promise<PipelineTraining> } }).loopflowPipeline;
    expect(vm.runInContext('typeof process + typeof require', context)).toBe('undefinedundefined');
    const problems = api.validateBroken();
    expect(problems.find((p) => p.path === '/stages/2/hiddenSize')).toMatchObject({ code: 'INVALID_VALUE', position: { line: 6 } });
    expect((await api.runNodeOnlyStage()).code).toBe('NODE_ONLY');
    const all = loadFirstNames().names;
    const trained = await api.trainNames(Array.from({ length: 400 }, (_, i) => all[Math.floor((i * all.length) / 400)]), 5);
    expect(trained.epochLosses).toHaveLength(5);
    expect(trained.validationLoss).toBeLessThan(trained.bigramLoss); // as in Chromium (tools/browser/packages.browser.spec.ts)

    // In Node the subpath is the full entry: one copy of the package, imported or required.
    expect(run(process.execPath, ['-e', "console.log(require('@loopflow/pipeline/browser') === require('@loopflow/pipeline'))"], project).trim()).toBe('true');
    const esmSame = "import * as a from '@loopflow/pipeline/browser'; import * as b from '@loopflow/pipeline'; import { createRequire } from 'module'; console.log(a.checkDefinition === b.checkDefinition && a.checkDefinition === createRequire(process.cwd() + '/')('@loopflow/pipeline').checkDefinition)";
    expect(run(process.execPath, ['--input-type=module', '-e', esmSame], project).trim()).toBe('true');
  }, 120_000);

  it('keeps a tensor + layers + cells install under 5 MB', () => {
    const small = path.join(work, 'small');
    createProject(small, ['tensor', 'layers', 'cells'].map((name) => tarball.get(name) as string));
    const bytes = folderBytes(path.join(small, 'node_modules'));
    process.stdout.write(`packaging: a tensor + layers + cells install is ${(bytes / 1024 / 1024).toFixed(2)} MB of node_modules\n`);
    expect(bytes).toBeLessThan(SMALL_INSTALL_LIMIT);
  }, 300_000);
});
