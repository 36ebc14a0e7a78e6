#!/bin/sh
# The second set of README.md: loopflow's training on one thread (`--threads 1`), before and
# after alternated, 3 rounds; compared by steps per CPU second (the bench's steps/cpu-s column),
# which a loaded machine moves less than steps per wall second. Needs run.sh's "before" checkout.
set -e
OUT=docs/results/dense-input-2026-12-07
BEFORE=${BEFORE:-/tmp/dense-before}
for round in 1 2 3; do
  (cd "$BEFORE" && npm run -s bench -- cells --json --threads 1 --mode train --impl loopflow,loopflow-tokens) > "$OUT/t1-before-$round.jsonl" 2> "$OUT/t1-before-$round.txt"
  npm run -s bench -- cells --json --threads 1 --mode train --impl loopflow,loopflow-tokens > "$OUT/t1-after-$round.jsonl" 2> "$OUT/t1-after-$round.txt"
done
