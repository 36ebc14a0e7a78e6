#!/usr/bin/env node
/**
 * Builds one package into its dist/ folder (the `build` target of every project.json; Nx runs
 * it in dependency order and caches it: `npm run build` at the root builds them all).
 *
 *   node tools/build-package.mjs packages/<name> [--entry src/<file>.ts ...] [--esm-entry src/<file>.ts ...]
 *
 * What it writes:
 *   dist/index.mjs       ESM bundle of src/index.ts (for bundlers and browsers: the `import`
 *                        condition of `exports`), with its source map
 *   dist/index.cjs       CommonJS bundle of src/index.ts (the `require` condition), source map
 *   dist/index.node.mjs  Node's `import` entry: an ES module that re-exports dist/index.cjs, so
 *                        that Node loads ONE copy of the package whether it is imported or
 *                        required (module state such as tensor's backend registry, the
 *                        no-grad switch or `instanceof Tensor` cannot split in two; rxjs points
 *                        its `node` condition at its CommonJS build for the same reason)
 *   dist/<entry>.cjs     each --entry (a worker started by file name: pipeline's search trial,
 *                        benchmark's job process), CommonJS
 *   dist/<esm-entry>.mjs each --esm-entry (a subpath export for bundlers and browsers, such as
 *   dist/<esm-entry>.cjs pipeline's `./browser`): ESM and CommonJS, like index; its declarations
 *                        must be emitted too (list the file in tsconfig.build.json's `files`)
 *   dist/**\/*.d.ts      declarations + declaration maps of the package's own files (tsc with
 *                        the package's tsconfig.build.json, whose `paths` point the other
 *                        @loopflow packages at their built dist/index.d.ts)
 *
 * Each bundle holds only the package's own files (and what they require by a relative path,
 * such as the kernels' bytes in wasm/builds.js): every import by package name (other
 * @loopflow packages, third-party packages) and every Node built-in stays an import. The build
 * fails when
 *   - a bare import is not declared in the package.json (dependencies or peerDependencies), so
 *     the declared dependencies stay the real ones;
 *   - a relative require could not be bundled (a generated file missing);
 *   - a declaration was written for a file outside the package's src/.
 * An ESM bundle whose code uses require, __dirname or __filename gets them from a banner that
 * reaches Node through process.getBuiltinModule (no static import of a Node built-in).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const esbuild = require('esbuild');

function fail(message) {
  process.stderr.write(`build-package: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const projectArg = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--entry' && args[i - 1] !== '--esm-entry');
if (!projectArg) fail('usage: node tools/build-package.mjs packages/<name> [--entry src/<file>.ts ...] [--esm-entry src/<file>.ts ...]');
const projectRoot = path.resolve(root, projectArg);
const extraEntries = args.flatMap((a, i) => (args[i - 1] === '--entry' ? [a] : []));
const esmEntries = args.flatMap((a, i) => (args[i - 1] === '--esm-entry' ? [a] : []));
const entryName = (e) => path.basename(e, '.ts');
const manifestFile = path.join(projectRoot, 'package.json');
if (!fs.existsSync(manifestFile)) fail(`${projectArg}: no package.json there`);
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const entry = path.join(projectRoot, 'src', 'index.ts');
if (!fs.existsSync(entry)) fail(`${manifest.name}: no src/index.ts`);
for (const e of [...extraEntries, ...esmEntries]) if (!fs.existsSync(path.join(projectRoot, e))) fail(`${manifest.name}: entry ${e} does not exist`);

const dist = path.join(projectRoot, 'dist');
fs.rmSync(dist, { recursive: true, force: true });

// ---- 1. The bundles ---------------------------------------------------------------------

const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
const packageOf = (spec) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const undeclared = new Map();

/** Every bare import stays external; one that the package.json does not declare is recorded. */
const externals = {
  name: 'loopflow-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (a) => {
      if (path.isAbsolute(a.path)) return undefined;
      // require.resolve loads nothing (a path for a worker's preload, say): no dependency.
      if (a.kind !== 'require-resolve' && !builtins.has(a.path) && !builtins.has(packageOf(a.path)) && !declared.has(packageOf(a.path))) {
        const where = `${path.relative(root, a.importer)}`;
        undeclared.set(packageOf(a.path), [...(undeclared.get(packageOf(a.path)) ?? []), where]);
      }
      return { path: a.path, external: true };
    });
  },
};

/**
 * ESM has no __dirname, __filename or require: a bundle whose sources use them (Node-only code
 * that reads files, or loads a CommonJS package lazily) gets them from import.meta.url through
 * `process.getBuiltinModule` (Node >= 20.16). No static import of a Node built-in: the ESM
 * bundle is the one bundlers and browsers take (Node's `import` gets index.node.mjs), and
 * where there is no Node the three stay undefined. Bundles that need none of them get no banner.
 */
const esmNodeShim = [
  "const __loopflowNode = typeof process === 'object' && process !== null && typeof process.getBuiltinModule === 'function' ? (id) => process.getBuiltinModule(id) : () => undefined;",
  "const require = __loopflowNode('module')?.createRequire(import.meta.url);",
  "const __filename = __loopflowNode('url')?.fileURLToPath(import.meta.url);",
  "const __dirname = __filename === undefined ? undefined : __loopflowNode('path')?.dirname(__filename);",
].join('\n');

const common = {
  absWorkingDir: projectRoot,
  bundle: true,
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [externals],
  legalComments: 'none',
};

const esmEntryPoints = { index: entry, ...Object.fromEntries(esmEntries.map((e) => [entryName(e), path.join(projectRoot, e)])) };
const cjs = await esbuild.build({ ...common, entryPoints: { ...esmEntryPoints, ...Object.fromEntries(extraEntries.map((e) => [entryName(e), path.join(projectRoot, e)])) }, outdir: dist, format: 'cjs', outExtension: { '.js': '.cjs' } });
const esm = await esbuild.build({ ...common, entryPoints: esmEntryPoints, outdir: dist, format: 'esm', outExtension: { '.js': '.mjs' }, write: false });

// A relative require that esbuild could not resolve stays in the bundle (it does so inside a
// try block): in an installed package it would point nowhere. Generated files such as the
// kernels' bytes (wasm/builds.js, written by tools/build-wasm.js) must exist before the build.
for (const file of Object.keys(cjs.metafile.outputs).filter((f) => f.endsWith('.cjs'))) {
  const left = fs.readFileSync(path.join(projectRoot, file), 'utf8').match(/\brequire\(["']\.\.?\/[^"']*["']\)/g);
  if (left) fail(`${manifest.name}: ${path.basename(file)} still requires ${[...new Set(left)].join(', ')} at run time (the file was missing when bundling; for a package's WebAssembly kernels run \`node tools/build-wasm.js\` first — \`nx run <project>:build\` does)`);
}

if (undeclared.size) {
  fail(
    `${manifest.name} imports packages its package.json does not declare:\n` +
      [...undeclared].map(([name, files]) => `  ${name} (from ${[...new Set(files)].join(', ')})`).join('\n') +
      `\nAdd each to "dependencies" (or "peerDependencies") of ${path.relative(root, manifestFile)}.`,
  );
}

for (const code of esm.outputFiles.filter((f) => f.path.endsWith('.mjs'))) {
  // Each ESM bundle, with the Node shim where its code needs it; its source map shifted by the
  // shim's lines (one ';' per line: empty lines of generated code).
  const map = esm.outputFiles.find((f) => f.path === `${code.path}.map`);
  // esbuild's `__require` shim (a require of a module left external) needs `require`; its
  // `__commonJS` helper's inner `function __require()` (a bundled CommonJS file) needs nothing.
  const shim = /\b(__dirname|__filename)\b|\bvar __require = /.test(code.text);
  fs.writeFileSync(code.path, shim ? `${esmNodeShim}\n${code.text}` : code.text);
  const json = JSON.parse(map.text);
  if (shim) json.mappings = ';'.repeat(esmNodeShim.split('\n').length) + json.mappings;
  fs.writeFileSync(map.path, JSON.stringify(json));
}

// Node's `import` entry: the CommonJS build's exports, as ES module exports.
const esmOut = Object.entries(esm.metafile.outputs).find(([file]) => file.endsWith('index.mjs'));
const exportNames = esmOut ? esmOut[1].exports : [];
const bad = exportNames.filter((n) => n === 'default' || !/^[A-Za-z_$][\w$]*$/.test(n));
if (bad.length) fail(`${manifest.name}: exports that the Node ESM wrapper cannot re-export by name: ${bad.join(', ')}`);
fs.writeFileSync(
  path.join(dist, 'index.node.mjs'),
  [
    '// Node loads one copy of this package for `import` and `require` alike: this module',
    '// re-exports the CommonJS build (see tools/build-package.mjs in the loopflow repository).',
    "import cjs from './index.cjs';",
    '',
    ...(exportNames.length ? [`export const {\n${exportNames.map((n) => `  ${n},`).join('\n')}\n} = cjs;`] : []),
    '',
  ].join('\n'),
);

// ---- 2. The declarations ----------------------------------------------------------------

const tsconfig = path.join(projectRoot, 'tsconfig.build.json');
if (!fs.existsSync(tsconfig)) fail(`${manifest.name}: no tsconfig.build.json (the declarations' settings)`);
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { cwd: root, encoding: 'utf8' });
if (tsc.status !== 0) {
  process.stderr.write(tsc.stdout + tsc.stderr);
  fail(`${manifest.name}: tsc (declarations) failed; see above`);
}
// Only the package's own files: a declaration of another package's file means a `paths`
// entry fell back to sources.
const stray = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.d.ts') && !fs.existsSync(path.join(projectRoot, 'src', path.relative(dist, p)).replace(/\.d\.ts$/, '.ts'))) stray.push(path.relative(root, p));
  }
};
walk(dist);
if (stray.length) fail(`${manifest.name}: declarations of files outside src/: ${stray.join(', ')}`);
for (const e of esmEntries) {
  if (!fs.existsSync(path.join(dist, `${entryName(e)}.d.ts`))) fail(`${manifest.name}: no declarations for --esm-entry ${e}; add it to "files" in ${path.relative(root, tsconfig)}`);
}

const declarations = [];
const count = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) count(p);
    else if (p.endsWith('.d.ts')) declarations.push(p);
  }
};
count(dist);
if (!args.includes('--quiet')) {
  const kb = (f) => `${(fs.statSync(path.join(dist, f)).size / 1024).toFixed(0)} kB`;
  const outs = Object.keys(cjs.metafile.outputs).filter((f) => f.endsWith('.cjs')).map((f) => path.basename(f));
  process.stdout.write(`${manifest.name}: ${[...esmEntries.map((e) => `${entryName(e)}.mjs`), 'index.mjs', ...outs].map((f) => `${f} ${kb(f)}`).join(', ')}, ${declarations.length} declaration files\n`);
}
