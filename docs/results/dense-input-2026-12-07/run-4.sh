#!/bin/sh
# The fourth set of README.md: batch-1 LSTM streaming again, before and after alternated, on one
# thread (`--threads 1`: the step's own cost) and on the default threads, 3 rounds each.
set -e
OUT=docs/results/dense-input-2026-12-07
BEFORE=${BEFORE:-/tmp/dense-before}
for round in 1 2 3; do
  (cd "$BEFORE" && npm run -s bench -- cells --json --mode infer-b1 --impl loopflow --threads 1) > "$OUT/b1t1-before-$round.jsonl" 2> "$OUT/b1t1-before-$round.txt"
  npm run -s bench -- cells --json --mode infer-b1 --impl loopflow --threads 1 > "$OUT/b1t1-after-$round.jsonl" 2> "$OUT/b1t1-after-$round.txt"
  npm run -s bench -- cells --json --mode infer-b1 --impl loopflow > "$OUT/b1x-after-$round.jsonl" 2> "$OUT/b1x-after-$round.txt"
  (cd "$BEFORE" && npm run -s bench -- cells --json --mode infer-b1 --impl loopflow) > "$OUT/b1x-before-$round.jsonl" 2> "$OUT/b1x-before-$round.txt"
done
