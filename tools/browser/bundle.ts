/**
 * Builds a test or bench page: each entry bundled by esbuild with its default options (only
 * `bundle` and the output folder: no plugins, no loaders, no asset copying, platform browser,
 * format iife), plus an index.html that loads `script`. The bundles must then find the
 * WebAssembly kernels inside themselves, as a user's page does.
 */
import * as fs from 'fs';
import * as path from 'path';

/** esbuild, loaded on use so that importing this file never needs it. */
function esbuild(): typeof import('esbuild') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('esbuild') as typeof import('esbuild');
}

/**
 * Bundles `entries` (name -> source file) into `outdir` as `<name>.js`; writes index.html that
 * loads `script` and holds `body` (HTML).
 */
export async function bundlePage(outdir: string, entries: Record<string, string>, script: string, body = ''): Promise<void> {
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild().build({ entryPoints: entries, bundle: true, outdir, logLevel: 'silent' });
  fs.writeFileSync(path.join(outdir, 'index.html'), `<!doctype html>\n<meta charset="utf-8">\n<title>loopflow</title>\n<link rel="icon" href="data:,">\n<script src="${script}"></script>\n<body>${body}</body>\n`);
}

/**
 * Bundles `contents` (an entry written as text, its imports resolved from `resolveDir`) into
 * `outdir/<name>.js`, with the same default options.
 */
export async function bundleText(outdir: string, name: string, contents: string, resolveDir: string): Promise<void> {
  await esbuild().build({ stdin: { contents, resolveDir, sourcefile: `${name}.ts`, loader: 'ts' }, bundle: true, outfile: path.join(outdir, `${name}.js`), logLevel: 'silent' });
}

/**
 * Bundles the module `file` into `outdir/<name>.js` as an ES module, with esbuild's defaults
 * otherwise (`bundle`, `format: 'esm'`, platform browser: no plugins, no aliases, no shims of
 * Node built-ins); the page loads it with `<script type="module">`.
 */
export async function bundleModule(outdir: string, name: string, file: string): Promise<void> {
  await esbuild().build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'browser', outfile: path.join(outdir, `${name}.js`), logLevel: 'silent' });
}
