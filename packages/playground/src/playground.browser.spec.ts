/**
 * The playground in a real browser: built (scripts/build.ts), served with the cross-origin
 * isolation headers (tools/browser/serve.ts) and opened in headless Chromium
 * (tools/browser/chromium.ts). It checks that
 * - the worker's kernels are WebAssembly (the tensor backend and the fused recurrent kernels),
 *   not the reference path;
 * - a broken definition shows its problems at the lines where pipeline's validation (the code
 *   `loopflow validate` runs, here in Node) puts them;
 * - the names example trains in the worker until its validation loss falls below the bigram
 *   baseline, computed here in Node from the data @loopflow/datasets reads, with the same
 *   stages and split; then it is stopped and a sampled name appears;
 * - the page answers a click within 100 ms while the worker trains;
 * - the weights download as model.safetensors + model.json that decode in Node with the
 *   model's tensors, and dropping them back onto the page samples names from them;
 * and saves a screenshot under packages/playground/test-output/.
 *
 * Without Chromium it is skipped with a message, unless CI=true (then it fails).
 */
import * as fs from 'fs';
import * as path from 'path';
import { EMPTY, lastValueFrom, Observable } from 'rxjs';
import type { Browser, Page } from 'playwright-core';
import { decodeSafetensors } from '@loopflow/layers';
import { checkDefinition, computeBaseline, DefinitionError, parseDefinition } from '@loopflow/pipeline';
import type { PreparedData, StageContext } from '@loopflow/pipeline';
import { chromiumPath, launchChromium } from '../../../tools/browser/chromium';
import { serveStatic, StaticServer } from '../../../tools/browser/serve';
import { buildPlayground, playgroundExamples } from '../scripts/build';

const OUTPUT = path.join(__dirname, '..', 'test-output');
const haveChromium = chromiumPath() !== null;
const mustRun = process.env.CI === 'true';
if (!haveChromium && !mustRun) {
  // eslint-disable-next-line no-console
  console.warn('playground.browser.spec: no Chromium found (apt-get install -y chromium, or set LOOPFLOW_CHROMIUM): skipped');
}
const describeBrowser = haveChromium || mustRun ? describe : describe.skip;

/** What the page exposes as `window.playground` (main.ts). */
interface PageState {
  step: number;
  validLoss: number[];
  baseline: Record<string, number>;
  samples: string[];
  kernels: { backend: string; fusedKernelsAvailable: boolean; fused: { variant: string; threads: number } | null; crossOriginIsolated: boolean } | null;
  lastClickLatency: number;
  done: boolean;
  stopped: boolean;
  error: string;
}
const pageState = (): PageState => (globalThis as unknown as { playground: PageState }).playground;

/** The little of the DOM these checks read (the specs compile without the DOM library). */
interface El {
  textContent: string | null;
  innerHTML: string;
  href: string;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
}
interface Doc {
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
  getElementById(id: string): El | null;
}

/** The bigram baseline's validation loss, in Node: the definition's data stages with pipeline's own registry and the npm data, then the baselines' bigram (add-1). */
async function bigramBaseline(text: string): Promise<number> {
  const definition = JSON.parse(text);
  const { validated } = checkDefinition(definition, { checkFiles: false });
  if (!validated) throw new Error('the example is not valid');
  let stream: Observable<unknown> = EMPTY;
  const artifacts = {};
  for (const plan of validated.plans) {
    if (plan.stage.category === 'model') break;
    const { stage: _name, ...options } = definition.stages[plan.index];
    const ctx: StageContext = { baseDir: process.cwd(), runDir: null, seed: definition.seed, name: definition.name, path: `/stages/${plan.index}`, task: plan.task, artifacts, emit: () => undefined };
    stream = plan.stage.create(options, ctx)(stream);
  }
  const data = (await lastValueFrom(stream)) as PreparedData;
  const addK = definition.stages.find((s: { stage: string }) => s.stage === 'baselines')?.addK ?? 1;
  return computeBaseline(data, 'bigram', { addK }, ['validation']).metrics.validation!.loss;
}

describeBrowser('the playground in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;
  const pageErrors: string[] = [];
  const quick = playgroundExamples().find((e) => e.id === 'names-quick')!;

  beforeAll(async () => {
    fs.mkdirSync(OUTPUT, { recursive: true });
    const site = await buildPlayground(path.join(OUTPUT, 'site'));
    server = await serveStatic(site, { isolated: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => {
      const s = (globalThis as unknown as { playground?: { kernels: unknown } }).playground;
      return s?.kernels != null;
    }, null, { timeout: 30000 });
  }, 90000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains on WebAssembly kernels, not the reference path', async () => {
    const kernels = (await page.evaluate(pageState)).kernels!;
    expect(kernels.backend).toMatch(/^wasm-(simd|relaxed)$/);
    expect(kernels.fusedKernelsAvailable).toBe(true);
    expect(kernels.fused?.variant).toMatch(/^(simd|relaxed)$/);
    expect(kernels.crossOriginIsolated).toBe(true);
    expect(await page.textContent('#kernels')).toContain(`backend ${kernels.backend}`);
  });

  it('shows the problems of a broken definition at their lines, as loopflow validate finds them', async () => {
    const broken = quick.text
      .replace('"hiddenSize": 64', '"hiddenSize": "64"')
      .replace('"epochs": 2', '"epoch": 2')
      .replace('"stage": "next-token"', '"stage": "next-tokens"');
    expect(broken).not.toBe(quick.text);
    // Where the same validation, in Node, puts them.
    let expected: { line: number; code: string }[] = [];
    try {
      parseDefinition(broken, { checkFiles: false });
    } catch (e) {
      expected = (e as DefinitionError).problems.map((p) => ({ line: p.position!.line, code: p.code }));
    }
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const lineOf = (needle: string): number => broken.slice(0, broken.indexOf(needle)).split('\n').length;
    for (const needle of ['"hiddenSize": "64"', '"epoch": 2', '"next-tokens"']) expect(expected.map((p) => p.line)).toContain(lineOf(needle));

    await page.fill('#definition', broken);
    await page.waitForFunction((n) => (globalThis as unknown as { document: Doc }).document.querySelectorAll('#problems li').length === n, expected.length, { timeout: 10000 });
    const shown = await page.$$eval('#problems li', (items) => (items as unknown as El[]).map((li) => ({ line: Number(li.dataset.line), code: String(li.dataset.code) })));
    expect(shown).toEqual(expected);
    const marked = await page.$$eval('#gutter .bad', (spans) => (spans as unknown as El[]).map((s) => Number(s.dataset.line)));
    expect(marked.sort((a, b) => a - b)).toEqual([...new Set(expected.map((p) => p.line))].sort((a, b) => a - b));
    expect(await page.isDisabled('#train')).toBe(true);
  });

  it('trains the names example below the bigram baseline, stays responsive, and samples names', async () => {
    const baseline = await bigramBaseline(quick.text);
    await page.selectOption('#example', 'names-quick');
    await page.waitForFunction(() => (globalThis as unknown as { document: Doc }).document.querySelector('#status')?.textContent === 'valid definition', null, { timeout: 10000 });
    await page.click('#train');

    // While the worker trains, clicks on the page are answered at once.
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.step > 5, null, { timeout: 30000 });
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = await page.evaluate(() => (globalThis as unknown as { playground: PageState }).playground.lastClickLatency);
      const started = Date.now();
      await page.click('#log-scale');
      await page.waitForFunction((b) => (globalThis as unknown as { playground: PageState }).playground.lastClickLatency !== b, before, { timeout: 5000 });
      latencies.push(await page.evaluate(() => (globalThis as unknown as { playground: PageState }).playground.lastClickLatency));
      expect(Date.now() - started).toBeLessThan(2000); // the whole round trip through the DevTools protocol
      await page.waitForTimeout(100);
    }
    const during = await page.evaluate(pageState);
    expect(during.done).toBe(false); // the clicks were answered while it trained
    for (const latency of latencies) expect(latency).toBeLessThan(100);

    // Until the validation loss falls below the baseline; then stop.
    await page.waitForFunction((b) => {
      const s = (globalThis as unknown as { playground: PageState }).playground;
      return s.validLoss.some((v) => v < b) || s.done || s.error !== '';
    }, baseline, { timeout: 60000 });
    if (!(await page.evaluate(pageState)).done) await page.click('#stop');
    await page.waitForFunction(() => (globalThis as unknown as { playground: PageState }).playground.done, null, { timeout: 10000 });
    const after = await page.evaluate(pageState);
    expect(after.error).toBe('');
    expect(Math.min(...after.validLoss)).toBeLessThan(baseline);
    // The page's own bigram line (from its shipped data) is the one computed here from the npm packages.
    expect(after.baseline.bigram).toBeCloseTo(baseline, 9);

    const names = await page.$$eval('#samples span', (spans) => (spans as unknown as El[]).map((s) => s.textContent ?? ''));
    expect(names.length).toBeGreaterThan(0);
    expect(names.some((n) => /^[a-z][a-z' -]*$/.test(n))).toBe(true);
  }, 120000);

  it('downloads the weights as .safetensors + model.json and samples from them when dropped back', async () => {
    await page.click('#download');
    await page.waitForSelector('#downloads a', { timeout: 10000 });
    const files = await page.$$eval('#downloads a', (links) =>
      Promise.all((links as unknown as El[]).map(async (a) => ({ name: a.getAttribute('download')!, bytes: Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer())) }))),
    );
    const weights = Buffer.from(files.find((f) => f.name === 'model.safetensors')!.bytes);
    const modelJson = JSON.parse(Buffer.from(files.find((f) => f.name === 'model.json')!.bytes).toString('utf8'));
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(weights));
    expect(metadata).toEqual({ format: 'pt', loopflow: 'loopflow.model/1' });
    expect(modelJson.format).toBe('loopflow.model/1');
    expect(Object.values(tensors).reduce((n, t) => n + t.size, 0)).toBe(modelJson.parameters);
    expect(Object.keys(tensors)).toEqual(expect.arrayContaining(['rnn.weight_ih_l0', 'rnn.weight_hh_l0']));

    await page.evaluate(() => ((globalThis as unknown as { document: Doc }).document.getElementById('result')!.innerHTML = ''));
    await page.setInputFiles('#drop-input', [
      { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: weights },
      { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(modelJson)) },
    ]);
    await page.waitForFunction(() => /Loaded model\.safetensors/.test((globalThis as unknown as { document: Doc }).document.getElementById('result')?.textContent ?? ''), null, { timeout: 10000 });
    const names = await page.$$eval('#samples span', (spans) => (spans as unknown as El[]).map((s) => s.textContent ?? ''));
    expect(names.length).toBe(10);

    await page.screenshot({ path: path.join(OUTPUT, 'playground.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 60000);
});
