#!/bin/bash
# The quick suite run whole, with its load before and after (run from the repository root):
#   bash docs/results/issue13-final-2026-12-07/compare-quick-2.sh   (a second run, 20:2x UTC)
D=docs/results/issue13-final-2026-12-07
{ cat /proc/loadavg; date -u +%FT%TZ; git rev-parse --short HEAD; } > $D/compare-quick-2.load-start.txt
/usr/bin/time -v npx ts-node packages/benchmark/src/bin/compare.ts --quick --out $D/compare-quick-2 > $D/compare-quick-2.stdout.txt 2> $D/compare-quick-2.stderr.txt
{ cat /proc/loadavg; date -u +%FT%TZ; } > $D/compare-quick-2.load-end.txt
