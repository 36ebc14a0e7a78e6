#!/bin/sh
# The quick suite once, whole, on branch wip/quick (forward-only fused kernels for validation and
# test passes; both runs kept here were made while each lane also started its next worker during
# a training run, a change reverted since as no win: README.md). Run from the
# repository root: sh docs/results/issue13-quick-2026-12-07/compare-quick.sh
# Writes the report into compare-quick/, the progress log and /usr/bin/time -v into
# compare-quick.stderr.txt, the summary into compare-quick.stdout.txt, the load average at
# start and end into compare-quick.load-*.txt.
d=docs/results/issue13-quick-2026-12-07
rm -rf $d/compare-quick
{ date -u +%FT%TZ; cat /proc/loadavg; git rev-parse --short HEAD; } > $d/compare-quick.load-start.txt
/usr/bin/time -v npx ts-node packages/benchmark/src/bin/compare.ts --quick --out $d/compare-quick > $d/compare-quick.stdout.txt 2> $d/compare-quick.stderr.txt
{ date -u +%FT%TZ; cat /proc/loadavg; } > $d/compare-quick.load-end.txt
