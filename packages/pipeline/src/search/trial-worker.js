'use strict';
// The worker of a hyper-parameter search (piscina): runs one trial per task. It is plain
// JavaScript so that it starts under any runner (node, ts-node, jest): it registers the
// TypeScript sources itself (ts-node, transpile only, through swc) and the workspace's
// package names (tsconfig-paths), then loads the trial runner.
const path = require('path');

const root = path.resolve(__dirname, '..', '..', '..', '..');
if (!require.extensions['.ts']) {
  require('ts-node').register({
    skipProject: true,
    transpileOnly: true,
    swc: true,
    compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: true },
  });
}
{
  // Each worker thread has its own module system, so this runs once per thread.
  const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
  require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });
}

const { runTrial } = require('./trial.ts');

/** Piscina task: { task: TrialTask, port?: MessagePort } -> TrialResult. */
module.exports = async function trial({ task, port }) {
  try {
    return await runTrial(task, (progress) => port && port.postMessage(progress));
  } finally {
    if (port) port.close();
  }
};
