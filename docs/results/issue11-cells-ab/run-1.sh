#!/bin/bash
# Alternating before/after cells bench (loopflow only), 3 rounds.
for r in 1 2 3; do
  for side in before main; do
    cd /work/$side
    echo "== round $r $side $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
    npm run -s bench -- cells --impl loopflow --mode train,infer-b1 --json > /tmp/ab/$side-$r.jsonl 2> /tmp/ab/$side-$r.err
  done
done
echo done
