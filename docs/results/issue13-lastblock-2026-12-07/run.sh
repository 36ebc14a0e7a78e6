#!/bin/bash
# The measurements of the last block at the positions read (branch wip/lastblock), 2026-12-07
# 18:36-18:51 UTC, from the repository root of the worktree; "before" is main at c853795
# (/work/main, the commit this branch started from, its kernels built). Load average 3.5-7.2 on
# the 2 cores (the lead's benchmark and another engineer's work): compare CPU ms, as ratios.
set -e
R=docs/results/issue13-compare-2026-12-07   # step.ts, before-after.sh, summarize.js, profile-self.js
D=docs/results/issue13-lastblock-2026-12-07

# 1. The suite's own estimate, seed 0 of the two longest adding jobs, 3 steps each (before in /work/main).
(cd /work/main && LOOPFLOW_THREADS=1 npx ts-node packages/benchmark/src/bin/time-jobs.ts --full --steps 3 \
  --match '^adding/T=(500|1000)/transformer/' --no-measurements --out time-jobs-before.json) > $D/time-jobs-before.log
LOOPFLOW_THREADS=1 npx ts-node packages/benchmark/src/bin/time-jobs.ts --full --steps 3 \
  --match '^adding/T=(500|1000)/transformer/' --no-measurements --out $D/time-jobs-after.json > $D/time-jobs-after.log

# 2. CPU ms per training step (forward, backward, clipping, Adam; 1 warm-up step, 3 timed),
#    before and after alternated, 3 rounds each.
BEFORE=/work/main $R/before-after.sh $D/steps-T1000.jsonl 3 step.ts full 'adding/T=1000/transformer/seed=0' 1 3
BEFORE=/work/main $R/before-after.sh $D/steps-T500.jsonl 3 step.ts full 'adding/T=500/transformer/seed=0' 1 3
(cd $D && node ../issue13-compare-2026-12-07/summarize.js steps-T1000.jsonl steps-T500.jsonl > summarize.txt)

# 3. Where the time goes after the change (self time, the whole process: set-up included).
LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json node --cpu-prof --cpu-prof-dir=/tmp/prof -r ts-node/register/transpile-only \
  -r tsconfig-paths/register $R/step.ts full 'adding/T=1000/transformer/seed=0' 1 3
node $R/profile-self.js /tmp/prof/*.cpuprofile 30 > $D/profile-T1000-step-after.txt

# 4. Every transformer job of the full suite after the change (18:55-18:58 UTC), combined on 2 lanes.
LOOPFLOW_THREADS=1 npx ts-node packages/benchmark/src/bin/time-jobs.ts --full --steps 3 --match transformer \
  --no-measurements --out $D/full-transformer-after.json > $D/full-transformer-after.log
(cd $D && node ../issue13-compare-2026-12-07/combine.js full-transformer-after.json > combine-full-transformer-after.txt)
