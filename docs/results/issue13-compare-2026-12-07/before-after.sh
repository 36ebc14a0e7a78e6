#!/bin/bash
# Alternates runs of one script in the worktree before the change and in this one, on one thread:
#   before-after.sh OUT.jsonl ROUNDS step.ts full 'adding/T=1000/transformer/seed=0' 1 3
#   before-after.sh OUT.jsonl ROUNDS attn.ts 32 4 1000 5 3
# BEFORE (default /work/wt/compare-before: `git worktree add --detach /work/wt/compare-before
# 24334a0`, node_modules symlinked, `node tools/build-wasm.js --quiet`) and AFTER (default: this
# checkout) are repository roots; each line records the load average at the start and the end.
here=$(cd "$(dirname "$0")" && pwd)
out=$1; rounds=$2; script=$3; shift 3
before=${BEFORE:-/work/wt/compare-before}; after=${AFTER:-$(cd "$here/../../.." && pwd)}
for r in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$before; [ "$side" = after ] && dir=$after
    load=$(cut -d' ' -f1 /proc/loadavg)
    res=$(cd "$dir" && LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json node -r ts-node/register/transpile-only -r tsconfig-paths/register "$here/$script" "$@" 2>&1 | tail -1)
    echo "{\"round\":$r,\"side\":\"$side\",\"loadStart\":$load,\"loadEnd\":$(cut -d' ' -f1 /proc/loadavg),\"result\":$res}" | tee -a "$out"
  done
done
