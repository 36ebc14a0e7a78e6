#!/bin/bash
for r in 1 2 3 4 5 6; do
  for side in before main; do
    cd /work/$side
    npm run -s bench -- cells --impl loopflow --cells rnn,gru --mode train --json > /tmp/ab/r2-$side-$r.jsonl 2>/dev/null
    npm run -s bench -- cells --impl loopflow --cells lstm --mode infer-b1 --json >> /tmp/ab/r2-$side-$r.jsonl 2>/dev/null
  done
done
echo done
