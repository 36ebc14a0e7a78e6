#!/usr/bin/env node
/**
 * Compiles the AssemblyScript kernels of every package that has them with the local
 * AssemblyScript compiler:
 *   packages/tensor/assembly/index.ts -> packages/tensor/wasm/*.wasm  (matmul, elementwise)
 *   packages/cells/assembly/index.ts  -> packages/cells/wasm/*.wasm   (fused recurrent layers;
 *     imports the tensor package's matmul micro-kernels at compile time)
 *   packages/attention/assembly/index.ts -> packages/attention/wasm/*.wasm  (fused attention;
 *     self-contained)
 *
 * Run by the root "prepare" script (so on every `npm ci`) and by `npm run build:wasm`.
 * No network, no prompts; everything written here is build output (gitignored), never committed.
 *
 * Four builds come from each source; the source picks its FMA with the compile-time
 * constant ASC_FEATURE_RELAXED_SIMD (and atomic work claims with ASC_FEATURE_THREADS):
 *   simd.wasm          --enable simd                        exported memory
 *   relaxed.wasm       --enable simd,relaxed-simd           exported memory
 *   simd-mt.wasm       --enable simd,threads                imported shared memory (2-thread matmul)
 *   relaxed-mt.wasm    --enable simd,relaxed-simd,threads   imported shared memory
 *
 * How the kernels ship: next to the .wasm files this writes packages/<pkg>/wasm/builds.js, a
 * CommonJS module whose `builds` export holds the four builds' bytes in base64 by file name,
 * and its declaration builds.d.ts. Each package requires it by a relative path from inside a
 * function (tensor: src/backend/wasm-loader.ts, cells: src/fused/wasm-module.ts, attention:
 * src/fused/kernels.ts), so the
 * bundles of the package (esbuild, default options) inline the bytes: an installed package or
 * a page reads no .wasm file, and the runtime (@loopflow/tensor, runtime/embedded.ts) decodes
 * a build on its first load. The .wasm files stay for tools and for `LOOPFLOW_WASM_DIR` /
 * `LOOPFLOW_CELLS_WASM_DIR`, which point a package at a folder of builds instead.
 *
 * Usage: node tools/build-wasm.js [--quiet] [tensor|cells|attention ...]   (all packages by default)
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const root = path.resolve(__dirname, '..');
const quiet = process.argv.includes('--quiet');
const allPackages = ['tensor', 'cells', 'attention'];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const name of chosen) {
  if (!allPackages.includes(name)) {
    process.stderr.write(`build-wasm: unknown package '${name}'; expected one of ${allPackages.join(', ')}\n`);
    process.exit(2);
  }
}

/** Largest memory (in 64 KiB pages) a shared-memory build may be given: the wasm32 limit. */
const SHARED_MAX_PAGES = 65536;

const common = ['-O3', '--runtime', 'stub', '--noAssert'];
const shared = ['--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', String(SHARED_MAX_PAGES)];
const builds = [
  { file: 'simd.wasm', args: ['--enable', 'simd'] },
  { file: 'relaxed.wasm', args: ['--enable', 'simd,relaxed-simd'] },
  { file: 'simd-mt.wasm', args: ['--enable', 'simd,threads', ...shared] },
  { file: 'relaxed-mt.wasm', args: ['--enable', 'simd,relaxed-simd,threads', ...shared] },
];

function fail(message) {
  process.stderr.write(`build-wasm: ${message}\n`);
  process.exit(1);
}

/** The compiler's JS entry (the same one node_modules/.bin/asc runs), or exit with advice. */
function findAsc() {
  let pkgJson;
  try {
    pkgJson = require.resolve('assemblyscript/package.json', { paths: [root] });
  } catch {
    pkgJson = undefined;
  }
  const bin = pkgJson && path.join(path.dirname(pkgJson), 'dist', 'asc.js');
  if (bin && fs.existsSync(bin)) return bin;
  fail(
    'the AssemblyScript compiler (node_modules/.bin/asc, package "assemblyscript") was not found.\n' +
      '  It is a devDependency of this repository: run `npm ci` (or `npm install`) first, then\n' +
      '  `npm run build:wasm`. Without the .wasm files, @loopflow/tensor falls back to its\n' +
      '  (slower) reference kernels and @loopflow/cells to its composed path.',
  );
}

async function main() {
  const ascPath = findAsc();
  // The compiler's API runs the builds in this process: loading asc and warming its JIT once
  // instead of four times (about 2.5 s instead of 8 s).
  const asc = (await import(pathToFileURL(ascPath).href)).default;
  const started = Date.now();
  for (const name of chosen.length > 0 ? chosen : allPackages) {
    const entry = path.join(root, 'packages', name, 'assembly', 'index.ts');
    const outDir = path.join(root, 'packages', name, 'wasm');
    if (!fs.existsSync(entry)) fail(`source not found: ${path.relative(root, entry)}`);
    fs.mkdirSync(outDir, { recursive: true });
    await buildPackage(asc, entry, outDir);
  }
  if (!quiet) process.stdout.write(`build-wasm: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

async function buildPackage(asc, entry, outDir) {
  const embedded = path.join(outDir, 'builds.js');
  // The bytes module stays in place while the kernels build (tests running beside a rebuild,
  // such as the packaging test's `npm run build` in a full `npm test`, load it meanwhile); it is
  // replaced atomically at the end, and a failed build removes it rather than leave it stale.
  const bytes = {};
  for (const build of builds) {
    const out = path.join(outDir, build.file);
    // Write next to the target and rename, so a process loading the kernels meanwhile never
    // reads a half-written file; a failed build removes the old file rather than leave it stale.
    const tmp = path.join(outDir, `${build.file.replace(/\.wasm$/, '')}.tmp-${process.pid}.wasm`);
    const log = [];
    const stream = asc.createMemoryStream((chunk) => log.push(String(chunk)));
    const argv = [path.relative(root, entry), ...build.args, ...common, '--outFile', path.relative(root, tmp)];
    const result = await asc.main([...argv, '--baseDir', root, '--noColors'], { stdout: stream, stderr: stream });
    const output = log.join('');
    if (result.error || !fs.existsSync(tmp)) {
      fs.rmSync(tmp, { force: true });
      fs.rmSync(out, { force: true });
      fs.rmSync(embedded, { force: true });
      fail(`asc failed for ${build.file}: ${result.error ? result.error.message : 'no output file'}\n${output}`);
    }
    fs.renameSync(tmp, out);
    bytes[build.file] = fs.readFileSync(out);
    if (quiet) continue;
    if (output.trim()) process.stderr.write(output);
    process.stdout.write(`build-wasm: ${path.relative(root, out)} (${fs.statSync(out).size} bytes)\n`);
  }
  writeEmbedded(outDir, bytes);
}

/** Writes `file` atomically (temporary file, then rename). */
function writeAtomic(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Writes wasm/builds.js (the builds' bytes in base64) and wasm/builds.d.ts (see the header). */
function writeEmbedded(outDir, bytes) {
  const pkg = path.relative(root, path.dirname(outDir)).split(path.sep).join('/');
  const lines = Object.entries(bytes).map(([file, data]) => `  ${JSON.stringify(file)}:\n    '${data.toString('base64')}',`);
  const banner =
    `// Generated by tools/build-wasm.js from ${pkg}/assembly: the bytes of ${pkg}/wasm/*.wasm in base64,\n` +
    '// inlined into the package\'s bundles. Build output: do not edit, do not commit.\n';
  writeAtomic(path.join(outDir, 'builds.d.ts'), `${banner}/** Base64 bytes of each build, by file name (\`simd.wasm\`, \`relaxed.wasm\`, \`simd-mt.wasm\`, \`relaxed-mt.wasm\`). */\nexport declare const builds: Readonly<Record<string, string>>;\n`);
  writeAtomic(path.join(outDir, 'builds.js'), `${banner}'use strict';\nexports.builds = {\n${lines.join('\n')}\n};\n`);
  if (!quiet) {
    const size = fs.statSync(path.join(outDir, 'builds.js')).size;
    process.stdout.write(`build-wasm: ${path.relative(root, path.join(outDir, 'builds.js'))} (${size} bytes, ${Object.keys(bytes).length} builds embedded)\n`);
  }
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
