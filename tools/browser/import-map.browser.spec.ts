/**
 * docs/browser.md's import-map page, as written there, in Chromium: the page (the doc's ```html
 * block) is served beside a node_modules/ folder holding the ES modules of tensor, layers,
 * cells, losses and optimizers, and the ES module of seedrandom made by the doc's esbuild
 * command. The page must train (loss falling) on the WebAssembly kernels, with no bundler.
 *
 * The packages' ES modules are made here the way tools/build-package.mjs makes their
 * dist/index.mjs (esbuild, every bare import left an import, the kernels' wasm/builds.js
 * inlined), without its Node-only banner and declarations, so that the test needs no build.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';
import { describeBrowser } from './describe-browser';
import { StaticServer, serveStatic } from './serve';

const root = path.resolve(__dirname, '..', '..');
const PACKAGES = ['tensor', 'layers', 'cells', 'losses', 'optimizers'];

/** The doc's one ```html block. */
function docPage(): string {
  const doc = fs.readFileSync(path.join(root, 'docs', 'browser.md'), 'utf8');
  const blocks = [...doc.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]);
  if (blocks.length !== 1) throw new Error(`docs/browser.md: expected one html code block (the import-map page), found ${blocks.length}`);
  return blocks[0];
}

describeBrowser("docs/browser.md's import-map page", () => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-import-map-'));
    await Promise.all(PACKAGES.map((name) => esbuild.build({
      entryPoints: [path.join(root, 'packages', name, 'src', 'index.ts')],
      bundle: true,
      format: 'esm',
      // Bare imports stay imports (as build-package.mjs's plugin does; the repository's tsconfig
      // paths would otherwise bundle a copy of each @loopflow dependency into every package).
      external: ['@loopflow/*', 'seedrandom'],
      outfile: path.join(dir, 'node_modules', '@loopflow', name, 'dist', 'index.mjs'),
      logLevel: 'silent',
    })));
    // The doc's command: npx esbuild node_modules/seedrandom/index.js --bundle --format=esm --outfile=vendor/seedrandom.mjs
    await esbuild.build({
      entryPoints: [require.resolve('seedrandom/index.js')],
      bundle: true,
      format: 'esm',
      outfile: path.join(dir, 'vendor', 'seedrandom.mjs'),
      logLevel: 'silent',
    });
    fs.writeFileSync(path.join(dir, 'index.html'), docPage());
    server = await serveStatic(dir, { isolated: false });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains on the WebAssembly kernels, the loss falling as the doc says', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(server.url);
    await page.waitForFunction(() => /backend/.test((globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('log').textContent), undefined, { timeout: 60000 })
      .catch(() => undefined);
    const log = await page.locator('#log').textContent();
    expect(errors).toEqual([]);
    const losses = [...(log ?? '').matchAll(/step (\d+) loss ([\d.]+)/g)].map((m) => Number(m[2]));
    expect(losses.length).toBe(6); // steps 0, 10, 20, 30, 40, 49
    expect(losses[0]).toBeGreaterThan(2.3); // about ln 12 (12 symbols) at the start...
    expect(losses[0]).toBeLessThan(2.8);
    expect(losses[5]).toBeLessThan(0.05); // ...near zero after 50 steps (the doc: below 0.01)
    expect(log).toMatch(/backend wasm-(simd|relaxed), fused kernels \{"variant":"(simd|relaxed)","threads":1,"helperItems":0\}/);
  });
});
