#!/bin/bash
# RNN char-LM training step (rnn-step.ts, public API, one thread), alternating the two checkouts; copy rnn-step.ts to <checkout>/.exp/rnnbench.ts first.
for r in 1 2 3 4 5; do for t in before main; do (cd /work/$t && LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json npx ts-node .exp/rnnbench.ts $t 2>&1 | tail -1); done; done
