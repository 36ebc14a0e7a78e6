/**
 * The browser harness itself: the static server sends the isolation headers, refuses paths that
 * leave its folder, and a page it serves is cross-origin isolated in Debian's Chromium (so
 * SharedArrayBuffer exists), or not when `isolated: false`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchChromium } from './chromium';
import { describeBrowser } from './describe-browser';
import { serveStatic } from './serve';

/** What a page's `crossOriginIsolated` global says (the spec is compiled without the DOM library). */
const isolatedFlag = (): boolean => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated;

describeBrowser('browser harness', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-serve-'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>t</title><p id="p">hello</p>');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves the folder with COOP/COEP and refuses to leave it', async () => {
    const server = await serveStatic(dir);
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await res.text()).toContain('hello');
      const up = await fetch(server.url + '..%2f..%2fetc%2fpasswd');
      expect([403, 404]).toContain(up.status);
      expect((await fetch(server.url + 'missing.js')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('serves a mounted folder under its prefix, and nothing outside it', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'loopflow-mount-'));
    fs.writeFileSync(path.join(other, 'kernel.wasm'), Buffer.from([0, 97, 115, 109]));
    const server = await serveStatic(dir, { mounts: { '/lib/': other } });
    try {
      const res = await fetch(server.url + 'lib/kernel.wasm');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/wasm');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 97, 115, 109]));
      expect((await fetch(server.url + 'lib/..%2findex.html')).status).toBe(403);
      expect((await fetch(server.url + 'index.html')).status).toBe(200); // the root folder still served
      await expect(serveStatic(dir, { mounts: { lib: other } })).rejects.toThrow(/must start and end with/);
    } finally {
      await server.close();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('a served page is cross-origin isolated in Chromium only with the headers', async () => {
    const browser = await launchChromium();
    const isolated = await serveStatic(dir);
    const plain = await serveStatic(dir, { isolated: false });
    try {
      const page = await browser.newPage();
      await page.goto(isolated.url);
      expect(await page.evaluate(isolatedFlag)).toBe(true);
      expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
      await page.goto(plain.url);
      expect(await page.evaluate(isolatedFlag)).toBe(false);
    } finally {
      await browser.close();
      await isolated.close();
      await plain.close();
    }
  });
});
