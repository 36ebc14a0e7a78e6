#!/bin/bash
# One training step of the full suite's adding-problem transformer, loopflow and PyTorch in one
# sitting, CPU ms per step on one thread (the suite gives each of its 2 workers one thread):
#   bash docs/results/issue13-full-2026-12-07/run.sh > docs/results/issue13-full-2026-12-07/steps.txt
# loopflow: step.ts (docs/results/issue13-compare-2026-12-07) times forward, backward, clip and Adam
# of the suite's job (its last block at the read position, as the benchmark runs it);
# PyTorch 1.13 (Debian python3-torch): torch_adding_transformer_step.py, the same model, both
# with every block over all positions ("full") and with the last block at the last position.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) commit $(git -C "$root" rev-parse --short HEAD)"
for T in 100 500 1000; do
  (cd "$root" && LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json node -r ts-node/register/transpile-only -r tsconfig-paths/register \
    docs/results/issue13-compare-2026-12-07/step.ts full "adding/T=$T/transformer/seed=0" 1 3 2>&1 | tail -1 | sed "s/^/loopflow T=$T: /")
done
/usr/bin/python3 "$here/torch_adding_transformer_step.py" 100 500 1000 | sed 's/^/pytorch /'
echo "end $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
