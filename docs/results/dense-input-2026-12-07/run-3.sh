#!/bin/sh
# The third set of README.md: batch-1 LSTM streaming (the cells bench's infer-b1, loopflow only),
# before and after alternated, 4 rounds. Needs run.sh's "before" checkout.
set -e
OUT=docs/results/dense-input-2026-12-07
BEFORE=${BEFORE:-/tmp/dense-before}
node tools/build-wasm.js --quiet
for round in 1 2 3 4; do
  (cd "$BEFORE" && npm run -s bench -- cells --json --mode infer-b1 --impl loopflow) > "$OUT/b1-before-$round.jsonl" 2> "$OUT/b1-before-$round.txt"
  npm run -s bench -- cells --json --mode infer-b1 --impl loopflow > "$OUT/b1-after-$round.jsonl" 2> "$OUT/b1-after-$round.txt"
done
