#!/bin/sh
# usage: run-eval-cost.sh CHECKOUT OUT.txt (OUT.txt is written beside this script) [match] [passes]  (bundles eval-cost.ts against CHECKOUT's sources, runs it there on one thread)
here=$(cd "$(dirname "$0")" && pwd)
cd "$1" && node -e "require('esbuild').buildSync({entryPoints:['$here/eval-cost.ts'],outfile:'/tmp/eval-cost-bundle.cjs',bundle:true,platform:'node',format:'cjs',target:'node20',tsconfig:'tsconfig.base.json',logLevel:'silent'})" \
  && { echo "# $(date -u +%FT%TZ) $1 ($(git -C "$1" rev-parse --short HEAD)); load: $(cut -d' ' -f1-3 /proc/loadavg)"; LOOPFLOW_THREADS=1 node /tmp/eval-cost-bundle.cjs "${3:-.}" "${4:-10}"; echo "# load at end: $(cut -d' ' -f1-3 /proc/loadavg)"; } > "$here/$2"
cat "$here/$2"
