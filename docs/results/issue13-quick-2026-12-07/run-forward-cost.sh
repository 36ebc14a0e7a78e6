#!/bin/sh
# usage: sh run-forward-cost.sh OUT.txt  (from the repository root; bundles forward-cost.ts, one kernel thread)
here=$(cd "$(dirname "$0")" && pwd)
node -e "require('esbuild').buildSync({entryPoints:['$here/forward-cost.ts'],outfile:'/tmp/forward-cost-bundle.cjs',bundle:true,platform:'node',format:'cjs',target:'node20',tsconfig:'tsconfig.base.json',logLevel:'silent'})" \
  && { echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD); load: $(cut -d' ' -f1-3 /proc/loadavg)"; LOOPFLOW_THREADS=1 node /tmp/forward-cost-bundle.cjs 60; echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$1"
cat "$1"
