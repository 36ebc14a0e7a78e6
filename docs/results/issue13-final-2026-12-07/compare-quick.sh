#!/bin/bash
# The quick suite run whole, with its load before and after (run from the repository root):
#   bash docs/results/issue13-final-2026-12-07/compare-quick.sh
D=docs/results/issue13-final-2026-12-07
{ cat /proc/loadavg; date -u +%FT%TZ; git rev-parse --short HEAD; } > $D/compare-quick.load-start.txt
/usr/bin/time -v npx ts-node packages/benchmark/src/bin/compare.ts --quick --out $D/compare-quick > $D/compare-quick.stdout.txt 2> $D/compare-quick.stderr.txt
{ cat /proc/loadavg; date -u +%FT%TZ; } > $D/compare-quick.load-end.txt
