#!/usr/bin/env node
'use strict';
// The `loopflow` command. Exit codes: 0 success, 1 a failed run, 2 a usage or validation error, 130 interrupted.
//
// Which code it runs, decided here once:
// - inside a checkout of the repository (this package sits in packages/ under the folder that
//   holds tsconfig.base.json; npm's workspace link points here): the TypeScript sources,
//   through ts-node (transpile only, swc) and the workspace's package names (tsconfig-paths).
//   No build needed, and a stale dist/ is never picked.
// - anywhere else (the package installed from its tarball): the compiled dist/index.cjs, with
//   no ts-node and no tsconfig (the tarball's src/ is there for source maps only).
// The search trials and comparison jobs follow the same choice (@loopflow/training's workerEntry).
const fs = require('fs');
const path = require('path');

function loadCli() {
  const root = path.resolve(__dirname, '..', '..', '..');
  const sources = path.join(__dirname, '..', 'src', 'index.ts');
  const checkout = path.basename(path.dirname(path.resolve(__dirname, '..'))) === 'packages' && fs.existsSync(path.join(root, 'tsconfig.base.json'));
  if (!checkout) return require('../dist/index.cjs');
  // skipProject: the root tsconfig's own ts-node settings assume the repository root as the working folder.
  require('ts-node').register({
    skipProject: true,
    transpileOnly: true,
    swc: true,
    compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true },
  });
  const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
  require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
  return require(sources);
}

let cli;
try {
  cli = loadCli();
} catch (error) {
  const missing = error && error.code === 'MODULE_NOT_FOUND' && /dist[\\/]index\.cjs/.test(String(error.message));
  process.stderr.write(
    missing
      ? `loopflow: this package has no build (${path.join(__dirname, '..', 'dist', 'index.cjs')} is missing); install it from a packed tarball, or run \`npm run build\` in the repository\n`
      : `loopflow: could not load the command: ${error && error.message ? error.message : String(error)}\n`,
  );
  process.exit(1);
}

const { main, nodeIO } = cli;
main(process.argv.slice(2), nodeIO()).then(
  (code) => {
    // 130: interrupted (Ctrl-C, SIGTERM); what had to be saved is saved: end now, worker threads and child processes too
    if (code === 130) process.exit(code);
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`loopflow: unexpected error: ${error && error.message ? error.message : String(error)}\n`);
    if (process.env.LOOPFLOW_DEBUG) process.stderr.write(`${error && error.stack}\n`);
    process.exitCode = 1;
  },
);
