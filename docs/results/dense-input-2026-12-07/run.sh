#!/bin/sh
# The sitting behind README.md: the `cells` bench on two checkouts, alternated, on one machine.
# before = f1b488f (the last commit before the dense-input work), after = this branch.
# Run from the repository root of the "after" checkout:  sh docs/results/dense-input-2026-12-07/run.sh
set -e
OUT=docs/results/dense-input-2026-12-07
BEFORE=${BEFORE:-/tmp/dense-before}
if [ ! -d "$BEFORE/packages" ]; then
  mkdir -p "$BEFORE"
  git archive f1b488f | tar -x -C "$BEFORE"
  ln -s "$(pwd)/node_modules" "$BEFORE/node_modules"
  (cd "$BEFORE" && node tools/build-wasm.js --quiet)
fi
node tools/build-wasm.js --quiet
# 1: the whole bench as a person runs it (every impl, both modes, PyTorch beside it)
npm run -s bench -- cells --json --pytorch > "$OUT/after-1.jsonl" 2> "$OUT/after-1.txt"
# then loopflow's two inputs and streaming, before and after, alternated
for round in 1 2; do
  (cd "$BEFORE" && npm run -s bench -- cells --json --impl loopflow,loopflow-tokens) > "$OUT/before-$round.jsonl" 2> "$OUT/before-$round.txt"
  npm run -s bench -- cells --json --impl loopflow,loopflow-tokens --pytorch > "$OUT/after-$((round + 1)).jsonl" 2> "$OUT/after-$((round + 1)).txt"
done
