#!/bin/sh
# usage: sh run-job-cost.sh CHECKOUT_A CHECKOUT_B ROUNDS MATCH STEPS > job-cost.txt
here=$(cd "$(dirname "$0")" && pwd)
for side in A B; do
  dir=$1; [ $side = B ] && dir=$2
  (cd $dir && node -e "require('esbuild').buildSync({entryPoints:['$here/job-cost.ts'],outfile:'/tmp/job-cost-$side.cjs',bundle:true,platform:'node',format:'cjs',target:'node20',tsconfig:'tsconfig.base.json',logLevel:'silent'})")
done
for r in $(seq 1 $3); do
  for side in A B; do
    dir=$1; [ $side = B ] && dir=$2
    echo "== round $r, $side: $dir ($(git -C $dir rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd $dir && LOOPFLOW_THREADS=1 node --expose-gc /tmp/job-cost-$side.cjs "$4" $5)
  done
done
