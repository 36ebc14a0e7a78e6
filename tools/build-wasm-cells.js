#!/usr/bin/env node
/**
 * Compiles the fused recurrent kernels (packages/cells/assembly) into
 * packages/cells/wasm/*.wasm with the local AssemblyScript compiler. The sources import the
 * tensor package's matmul micro-kernels and vector math (packages/tensor/assembly) at compile
 * time, so both packages run the same products.
 *
 * Run by the root "prepare" and "build:wasm" scripts after tools/build-wasm.js. No network, no
 * prompts; the .wasm files are build output (gitignored).
 *
 * Four builds come from the same source (ASC_FEATURE_RELAXED_SIMD picks the FMA,
 * ASC_FEATURE_THREADS makes the work claims atomic):
 *   simd.wasm         --enable simd                        exported memory (streaming, one thread)
 *   relaxed.wasm      --enable simd,relaxed-simd           exported memory
 *   simd-mt.wasm      --enable simd,threads                imported shared memory (helper thread)
 *   relaxed-mt.wasm   --enable simd,relaxed-simd,threads   imported shared memory
 *
 * Usage: node tools/build-wasm-cells.js [--quiet]
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

const root = path.resolve(__dirname, '..');
const pkg = path.join(root, 'packages', 'cells');
const entry = path.join(pkg, 'assembly', 'index.ts');
const outDir = path.join(pkg, 'wasm');
const quiet = process.argv.includes('--quiet');

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
  process.stderr.write(`build-wasm-cells: ${message}\n`);
  process.exit(1);
}

function findAsc() {
  const bin = path.join(root, 'node_modules', 'assemblyscript', 'dist', 'asc.js');
  if (fs.existsSync(bin)) return bin;
  fail(
    `the AssemblyScript compiler (${path.relative(root, bin)}) was not found.\n` +
      '  It is a devDependency of this repository: run `npm ci` first, then `npm run build:wasm`.\n' +
      '  Without the .wasm files, @loopflow/cells runs its composed (slower) path.',
  );
}

async function main() {
  if (!fs.existsSync(entry)) fail(`source not found: ${path.relative(root, entry)}`);
  const asc = (await import(pathToFileURL(findAsc()).href)).default;
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  for (const build of builds) {
    const out = path.join(outDir, build.file);
    const log = [];
    const stream = asc.createMemoryStream((chunk) => log.push(String(chunk)));
    const argv = [path.relative(root, entry), ...build.args, ...common, '--outFile', path.relative(root, out)];
    const result = await asc.main([...argv, '--baseDir', root, '--noColors'], { stdout: stream, stderr: stream });
    const output = log.join('');
    if (result.error) fail(`asc failed for ${build.file}: ${result.error.message}\n${output}`);
    if (!fs.existsSync(out)) fail(`asc reported success for ${build.file} but wrote no file:\n${output}`);
    if (quiet) continue;
    if (output.trim()) process.stderr.write(output);
    process.stdout.write(`build-wasm-cells: ${path.relative(root, out)} (${fs.statSync(out).size} bytes)\n`);
  }
  if (!quiet) process.stdout.write(`build-wasm-cells: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
