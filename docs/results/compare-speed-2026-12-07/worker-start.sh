#!/bin/sh
# CPU seconds (user + system) and wall seconds to load a comparison worker (child.ts and everything it imports), 3 times each way; the machine's load average first.
cd "$(dirname "$0")/../../.."
node -e "require('esbuild').buildSync({ entryPoints: ['packages/benchmark/src/jobs/child.ts'], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: '/tmp/child.bundle.cjs', tsconfig: 'tsconfig.base.json', external: ['ts-node', 'ts-node/*'], logLevel: 'silent' })"
echo "load average: $(cat /proc/loadavg)"
for i in 1 2 3; do
  /usr/bin/time -f "ts-node (swc, transpile-only): %e s wall, %U s user, %S s sys" env TS_NODE_PROJECT=$PWD/tsconfig.json TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register -e "require('./packages/benchmark/src/jobs/child.ts')" 2>&1
  /usr/bin/time -f "esbuild bundle of child.ts:   %e s wall, %U s user, %S s sys" node -e "require('/tmp/child.bundle.cjs')" 2>&1
done
