#!/bin/bash
for r in 1 2 3 4 5 6; do
  for side in before main; do
    cd /work/$side
    npm run -s bench -- cells --impl loopflow --cells rnn,lstm --mode train --threads 1 --json > /tmp/ab/r3-$side-$r.jsonl 2>/dev/null
  done
done
