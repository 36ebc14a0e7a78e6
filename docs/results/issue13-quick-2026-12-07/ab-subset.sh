#!/bin/sh
# Same-sitting A/B of the suite's short jobs (where worker start-up weighs most): main's checkout
# (A) and this branch (B), alternated, each under /usr/bin/time; the reports go to /tmp.
# usage: sh ab-subset.sh MAIN_CHECKOUT BRANCH_CHECKOUT ROUNDS > ab-subset.txt
flags="--quick --tasks copy,long-context,char-lm,co2 --models rnn,lstm,gru,indrnn"
for r in $(seq 1 ${3:-1}); do
  for side in A B; do
    dir=$1; [ $side = B ] && dir=$2
    echo "== round $r, $side: $dir ($(git -C $dir rev-parse --short HEAD)), load at start $(cut -d' ' -f1-3 /proc/loadavg)"
    (cd $dir && /usr/bin/time -f "wall %e s, user %U s, sys %S s, %P CPU" npx ts-node packages/benchmark/src/bin/compare.ts $flags --out /tmp/ab-subset-$side-$r 2>&1 >/dev/null | grep -E "^wall|jobs \(")
    echo "   load at end $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
