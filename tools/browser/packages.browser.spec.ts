/**
 * The packages that run in a page, in a real Chromium (headless, Debian's chromium through
 * playwright-core): bundled by esbuild with its default options (tools/browser/bundle.ts) from
 * tools/browser/pages, served with and without the cross-origin isolation headers.
 *
 * - On the page's main thread the bundle finds no Node global, and the kernels in use are
 *   WebAssembly: the backend is wasm-*, the LSTM runs through the fused kernels (checked
 *   against the composed path), training lowers the loss, on one thread (Atomics.wait is not
 *   allowed there, even in an isolated page).
 * - In a dedicated Worker of an isolated page the kernels get 2 threads (Web Workers over
 *   SharedArrayBuffer) and the helper computes part of the work; of a page that is not
 *   isolated, 1 thread.
 * - While a Worker trains, the main thread answers clicks; training on the main thread itself
 *   (the control) does not.
 * - @loopflow/pipeline's browser entry (`@loopflow/pipeline/browser`, from the sources through
 *   the root tsconfig's paths) bundles as an ES module with esbuild's defaults (no plugins, no
 *   aliases, no shims of Node built-ins): in the page a broken definition gets its problems at
 *   their lines, the registry's dataset stage says it needs Node, and a char-LSTM trains through
 *   the pipeline's stages with `runDir: null` (tools/browser/pages/pipeline-page.ts).
 * - @loopflow/data's operators load and run in the page. They are bundled file by file, from an
 *   entry written here (as tools/embedded-kernels-page.mjs does), every file of the package:
 *   its CSV sources too, which load csv-parse (whose main entry imports Node's `stream`) only
 *   when they read a file.
 *
 * Needs the kernels built (`npm run build:wasm`) and Chromium (see describe-browser.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { loadFirstNames } from '@loopflow/datasets';
import { bundleModule, bundlePage, bundleText } from './bundle';
import { launchChromium } from './chromium';
import { describeBrowser } from './describe-browser';
import { StaticServer, serveStatic } from './serve';
import type { CharLmOptions, CharLmResult, Environment, KernelCheck } from './pages/packages-check';
import type { DefinitionProblem } from '@loopflow/pipeline/browser';
import type { PipelineTraining } from './pages/pipeline-page';

/** What a worker's training reports. */
type WorkerTraining = CharLmResult & { fusedUp: boolean; teamsUp: boolean; environment: Environment };

/** The page's API (tools/browser/pages/packages-page.ts). */
interface PageCheck {
  globalsBefore: string[];
  setThreads(threads: number | null): void;
  environment(): Environment;
  loadedExports(): Record<string, number>;
  checkKernels(): KernelCheck;
  trainCharLm(options: CharLmOptions): Promise<CharLmResult>;
  trainWithoutYielding(options: CharLmOptions, ms: number): Promise<number>;
  inWorker(command: unknown): Promise<unknown>;
  stopWorkers(): number;
  clicks: { at: number; delayMs: number }[];
}

/** Runs `fn` in the page with its `loopflowCheck` API. */
function inPage<T, A = undefined>(page: Page, fn: (check: PageCheck, arg: A) => T | Promise<T>, arg?: A): Promise<T> {
  return page.evaluate(
    ([source, a]) => {
      const check = (globalThis as unknown as { loopflowCheck: PageCheck }).loopflowCheck;
      return (new Function(`return (${source});`)() as (c: PageCheck, x: unknown) => T)(check, a);
    },
    [fn.toString(), arg] as const,
  ) as Promise<T>;
}

const root = path.resolve(__dirname, '..', '..');

/** Every source file of @loopflow/data (not its tests, test helpers or index), relative to its src/. */
function dataOperatorFiles(): string[] {
  const src = path.join(root, 'packages', 'data', 'src');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(src, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (!['testing', 'datasets'].includes(entry.name)) walk(full);
      } else if (rel.endsWith('.ts') && rel !== 'index.ts' && !rel.endsWith('.spec.ts') && !/(test|spec)-helpers\.ts$/.test(rel)) {
        out.push(rel);
      }
    }
  };
  walk(src);
  return out.sort();
}

/** The entry of data-operators.js: every operator file, and a run of three of them on a string. */
function dataOperatorsEntry(files: readonly string[]): string {
  return [
    "import { firstValueFrom, of } from 'rxjs';",
    ...files.map((file, i) => `import * as m${i} from './packages/data/src/${file.replace(/\.ts$/, '')}';`),
    `const modules = { ${files.map((file, i) => `${JSON.stringify(file)}: m${i}`).join(', ')} };`,
    'globalThis.loopflowData = {',
    '  exported: Object.fromEntries(Object.entries(modules).map(([file, m]) => [file, Object.keys(m).length])),',
    '  async run(text) {',
    "    const chars = await firstValueFrom(of(text).pipe(modules['text/tokenize.ts'].tokenize(modules['text/tokenizer.ts'].charTokenizer())));",
    "    const vocabulary = await firstValueFrom(of(chars).pipe(modules['text/build-vocabulary.ts'].buildVocabulary()));",
    '    return { chars, ids: vocabulary.encode(chars), tokens: vocabulary.list() };',
    '  },',
    '};',
  ].join('\n');
}

/** A small char-LM run: a few hundred ms on one thread. */
const SMALL: CharLmOptions = { hidden: 32, steps: 16, batch: 8, updates: 30 };
/** Large enough that the fused kernels share jobs with their helper thread. */
const SHARED: CharLmOptions = { hidden: 128, steps: 32, batch: 32, updates: 15 };

describeBrowser('the packages in Chromium', () => {
  let dir: string;
  let browser: Browser;
  let isolated: StaticServer;
  let plain: StaticServer;
  let page: Page;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-browser-'));
    const pages = path.join(__dirname, 'pages');
    await bundlePage(dir, { 'packages-page': path.join(pages, 'packages-page.ts'), 'packages-worker': path.join(pages, 'packages-worker.ts') }, 'packages-page.js', '<button id="ping">ping</button>');
    await bundleText(dir, 'data-operators', dataOperatorsEntry(dataOperatorFiles()), root);
    await bundleModule(dir, 'pipeline-page', path.join(pages, 'pipeline-page.ts'));
    isolated = await serveStatic(dir);
    plain = await serveStatic(dir, { isolated: false });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (err) => process.stderr.write(`page error: ${err.message}\n`));
  });
  afterAll(async () => {
    await browser?.close();
    await isolated?.close();
    await plain?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loads with no Node globals; on the page's main thread the kernels are WebAssembly (fused LSTM), on one thread, and training lowers the loss", async () => {
    await page.goto(isolated.url);
    expect(await inPage(page, (c) => c.globalsBefore)).toEqual([]);
    const env = await inPage(page, (c) => c.environment());
    expect(env.nodeGlobals).toEqual([]);
    expect(env.isolated).toBe(true);
    expect(env.canBlock).toBe(false); // Atomics.wait is refused on a page's main thread...
    expect(env.threads).toBe(1); // ...so one thread, even cross-origin isolated
    expect(env.noThreadsBecause).toMatch(/main thread/);
    const exported = await inPage(page, (c) => c.loadedExports());
    for (const name of ['tensor', 'layers', 'cells', 'attention', 'losses', 'optimizers', 'training']) expect(exported[name]).toBeGreaterThan(5);

    const kernels = await inPage(page, (c) => c.checkKernels());
    expect(kernels.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(kernels.backendThreads).toBe(1);
    expect(kernels.defaultRunner).toBe(true);
    expect(kernels.fusedCalls).toBe(1); // the fused kernels took the LSTM: not the composed reference
    expect(kernels.fused).toEqual({ variant: expect.stringMatching(/^(simd|relaxed)$/), threads: 1, helperItems: 0 });
    expect(kernels.matmulError).toBeLessThan(1e-5);
    expect(kernels.lstmError).toBeLessThan(1e-4);
    expect(kernels.gradError).toBeLessThan(1e-4);

    const trained = await inPage(page, (c, options) => c.trainCharLm(options), SMALL);
    expect(trained.updates).toBe(SMALL.updates);
    expect(trained.firstLoss).toBeGreaterThan(0.9 * Math.log(trained.vocab)); // starts near chance
    expect(trained.lastLoss).toBeLessThan(0.75 * trained.firstLoss);
  });

  it("asked for 2 threads on the page's main thread, the kernels fall back to one and still compute", async () => {
    await page.goto(isolated.url);
    const kernels = await inPage(page, (c) => {
      c.setThreads(2);
      return c.checkKernels();
    });
    expect(kernels.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(kernels.backendThreads).toBe(1);
    expect(kernels.fused).toEqual({ variant: expect.stringMatching(/^(simd|relaxed)$/), threads: 1, helperItems: 0 });
    expect(kernels.fusedCalls).toBe(1);
    expect(kernels.matmulError).toBeLessThan(1e-5);
    expect(kernels.lstmError).toBeLessThan(1e-4);
    expect(kernels.gradError).toBeLessThan(1e-4);
  });

  it("@loopflow/data's operators load and run in the page (every file, its CSV sources too)", async () => {
    await page.goto(isolated.url);
    await page.addScriptTag({ url: 'data-operators.js' });
    const result = await page.evaluate(async () => {
      const data = (globalThis as unknown as { loopflowData: { exported: Record<string, number>; run(text: string): Promise<{ chars: string[]; ids: number[]; tokens: string[] }> } }).loopflowData;
      return { exported: data.exported, run: await data.run('abcab') };
    });
    const files = dataOperatorFiles();
    expect(Object.keys(result.exported).sort()).toEqual(files);
    // Every file that exports a value exports it in the page (the others hold types only).
    const withValues = files.filter((file) => /^export (async )?(function|const|class|let) /m.test(fs.readFileSync(path.join(root, 'packages', 'data', 'src', file), 'utf8')));
    expect(withValues.length).toBeGreaterThan(20);
    expect(withValues.filter((file) => !(result.exported[file] > 0))).toEqual([]);
    expect(result.run.chars).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(result.run.ids.map((id) => result.run.tokens[id])).toEqual(['a', 'b', 'c', 'a', 'b']); // encoded, and decoded back by hand
  });

  it("@loopflow/pipeline/browser, bundled with esbuild's defaults: validation with problems at their lines, dataset stages that need Node, a char-LSTM trained through the stages with runDir null", async () => {
    await page.goto(isolated.url);
    await page.addScriptTag({ url: 'pipeline-page.js', type: 'module' });
    await page.waitForFunction(() => 'loopflowPipeline' in globalThis);
    interface PipelinePage {
      validateBroken(): DefinitionProblem[];
      runNodeOnlyStage(): Promise<{ code?: string; message: string }>;
      trainNames(names: string[], epochs: number): Promise<PipelineTraining>;
    }
    const problems = await page.evaluate(() => (globalThis as unknown as { loopflowPipeline: PipelinePage }).loopflowPipeline.validateBroken());
    const at = (pointer: string): DefinitionProblem | undefined => problems.find((p) => p.path === pointer);
    expect(at('/stages/2/hiddenSize')).toMatchObject({ code: 'INVALID_VALUE', position: { line: 6 }, expected: 'a value >= 1', found: '-4' });
    expect(at('/stages/3/learningRate')).toMatchObject({ code: 'UNKNOWN_KEY', position: { line: 7 } });
    expect(at('/stages/2/stage')).toMatchObject({ code: 'KIND_MISMATCH', position: { line: 6 } }); // 'recurrent' after 'tokenize'

    const refused = await page.evaluate(() => (globalThis as unknown as { loopflowPipeline: PipelinePage }).loopflowPipeline.runNodeOnlyStage());
    expect(refused.code).toBe('NODE_ONLY');
    expect(refused.message).toMatch(/first-names.*needs Node\.js/);

    // 400 of the names `loopflow run` reads, evenly spread; 5 epochs of an LSTM of 32 units (about 1 s).
    const all = loadFirstNames().names;
    const names = Array.from({ length: 400 }, (_, i) => all[Math.floor((i * all.length) / 400)]);
    const trained = await page.evaluate(([n, epochs]) => (globalThis as unknown as { loopflowPipeline: PipelinePage }).loopflowPipeline.trainNames(n, epochs), [names, 5] as const);
    expect(trained.problems).toEqual([]);
    expect(trained.epochLosses).toHaveLength(5);
    expect(trained.parameters).toBeGreaterThan(1000);
    expect(trained.epochLosses[0]).toBeGreaterThan(0.85 * Math.log(trained.vocab)); // starts near chance...
    expect(trained.epochLosses[4]).toBeLessThan(0.8 * trained.epochLosses[0]); // ...and learns
    // Below the bigram baseline fitted on the same training split (the baselines stage); in
    // Node the same run gives 2.48 against 2.65.
    expect(trained.validationLoss).toBeLessThan(trained.bigramLoss);
  });

  it('in a dedicated Worker of a cross-origin isolated page: 2 threads (Web Workers), and the helper takes part', async () => {
    await page.goto(isolated.url);
    const trained = (await inPage(page, (c, options) => c.inWorker({ run: 'train', options }), SHARED)) as WorkerTraining;
    expect(trained.environment.hardwareConcurrency).toBeGreaterThanOrEqual(2); // a machine with one core cannot show threads
    expect(trained.environment).toMatchObject({ nodeGlobals: [], isolated: true, canBlock: true, threads: 2, noThreadsBecause: null });
    expect(trained.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(trained.backendThreads).toBe(2);
    expect(trained.fusedUp).toBe(true);
    expect(trained.teamsUp).toBe(true);
    expect(trained.fused!.threads).toBe(2);
    expect(trained.fused!.helperItems).toBeGreaterThan(0);
    expect(trained.lastLoss).toBeLessThan(0.9 * trained.firstLoss);
  });

  it('in a Worker of a page that is not cross-origin isolated: 1 thread, still WebAssembly', async () => {
    await page.goto(plain.url);
    const trained = (await inPage(page, (c, options) => c.inWorker({ run: 'train', options }), SMALL)) as WorkerTraining;
    expect(trained.environment).toMatchObject({ nodeGlobals: [], isolated: false, threads: 1 });
    expect(trained.environment.noThreadsBecause).toMatch(/not cross-origin isolated/);
    expect(trained.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(trained.backendThreads).toBe(1);
    expect(trained.fused).toEqual({ variant: expect.stringMatching(/^(simd|relaxed)$/), threads: 1, helperItems: 0 });
    expect(trained.lastLoss).toBeLessThan(0.75 * trained.firstLoss);
  });

  it('training in a Worker leaves the main thread responsive (clicks answered within 100 ms); training on it does not', async () => {
    await page.goto(isolated.url);
    const box = (await page.locator('#ping').boundingBox())!;
    /** A click as raw input (no script runs in the page first, unlike page.click). */
    const click = (): Promise<void> => page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    /** Clicks three times, 100 ms apart, while `start`ed work runs; returns the clicks (answered while it ran?), and whether it still runs. */
    const clicksDuring = async (start: (c: PageCheck) => Promise<unknown>): Promise<{ clicks: { delayMs: number; during: boolean }[]; stillRunning: boolean }> => {
      await inPage(page, (c, source) => {
        const g = globalThis as unknown as { job: Promise<unknown>; jobEnd: number };
        c.clicks.length = 0;
        g.jobEnd = Infinity;
        const run = new Function(`return (${source});`)() as (c: PageCheck) => Promise<unknown>;
        // Started after this evaluation returns, so that it cannot delay the evaluation itself.
        g.job = new Promise((resolve) => setTimeout(resolve, 0)).then(() => run(c)).then(() => void (g.jobEnd = performance.now()), () => void (g.jobEnd = performance.now()));
      }, start.toString());
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        await click();
      }
      return inPage(page, async (c) => {
        const g = globalThis as unknown as { job: Promise<unknown>; jobEnd: number };
        const stillRunning = c.stopWorkers() > 0;
        if (!stillRunning) await g.job;
        return { clicks: c.clicks.map((k) => ({ delayMs: k.delayMs, during: k.at < g.jobEnd })), stillRunning };
      });
    };
    // A worker that trains far longer than the clicks take: it is ended once they are answered.
    const inWorker = await clicksDuring((c) => c.inWorker({ run: 'train', options: { hidden: 128, steps: 32, batch: 32, updates: 1000 } }));
    expect(inWorker.stillRunning).toBe(true);
    expect(inWorker.clicks.filter((k) => k.during)).toHaveLength(3); // all answered while the worker trained...
    for (const answered of inWorker.clicks) expect(answered.delayMs).toBeLessThan(100); // ...within 100 ms

    // The control: the same clicks while the main thread itself trains, without yielding, for 1.5 s.
    const onMain = await clicksDuring((c) => c.trainWithoutYielding({ hidden: 64, steps: 16, batch: 16, updates: 4 }, 1500));
    expect(onMain.clicks.filter((k) => k.during)).toEqual([]); // no click is answered while the main thread trains...
    expect(onMain.clicks.length).toBeGreaterThan(0);
    expect(onMain.clicks[0].delayMs).toBeGreaterThan(100); // ...the first one only once it is done
  });
});
