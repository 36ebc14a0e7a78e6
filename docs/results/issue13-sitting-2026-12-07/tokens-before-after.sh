#!/bin/sh
# The token path and batch-1 streaming (and the dense path beside them), before (f1b488f, the start of this session's work) and
# after (this checkout), alternated in one sitting. Run from the repository root:
#   sh docs/results/issue13-sitting-2026-12-07/tokens-before-after.sh
set -e
OUT=docs/results/issue13-sitting-2026-12-07
BEFORE=${BEFORE:-/tmp/issue13-before}
if [ ! -d "$BEFORE/packages" ]; then
  mkdir -p "$BEFORE"
  git archive f1b488f | tar -x -C "$BEFORE"
  ln -s "$(pwd)/node_modules" "$BEFORE/node_modules"
  (cd "$BEFORE" && node tools/build-wasm.js --quiet)
fi
ROUNDS=${ROUNDS:-2}
TAG=${TAG:-}
for round in $(seq 1 "$ROUNDS"); do
  (cd "$BEFORE" && npm run -s bench -- cells --json --impl loopflow-tokens,loopflow --mode train,infer-b1) > "$OUT/tokens${TAG}-before-$round.jsonl" 2> "$OUT/tokens${TAG}-before-$round.txt"
  npm run -s bench -- cells --json --impl loopflow-tokens,loopflow --mode train,infer-b1 > "$OUT/tokens${TAG}-after-$round.jsonl" 2> "$OUT/tokens${TAG}-after-$round.txt"
done
