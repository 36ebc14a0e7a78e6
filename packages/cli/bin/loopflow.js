#!/usr/bin/env node
'use strict';
// The `loopflow` command. Runs the TypeScript sources directly: registers ts-node (transpile
// only, through swc) and the workspace's package names, then calls main(). Exit codes: 0
// success, 1 a failed run, 2 a usage or validation error.
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..');
// skipProject: the root tsconfig's own ts-node settings assume the repository root as the working folder.
require('ts-node').register({
  skipProject: true,
  transpileOnly: true,
  swc: true,
  compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true },
});
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });

const { main, nodeIO } = require('../src/index.ts');
main(process.argv.slice(2), nodeIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`loopflow: unexpected error: ${error && error.message ? error.message : String(error)}\n`);
    if (process.env.LOOPFLOW_DEBUG) process.stderr.write(`${error && error.stack}\n`);
    process.exitCode = 1;
  },
);
