#!/bin/bash
# The full suite run for 30 minutes and then interrupted (Ctrl-C, SIGINT), to see how far it gets
# in the issue's 30-minute budget (run from the repository root):
#   bash docs/results/issue13-final-2026-12-07/compare-full-30min.sh
# results.jsonl in compare-full-30min/ holds every job finished by then; summarize-30min.js counts them.
D=docs/results/issue13-final-2026-12-07
{ cat /proc/loadavg; date -u +%FT%TZ; git rev-parse --short HEAD; } > $D/compare-full-30min.load-start.txt
timeout -s INT 1800 npx ts-node packages/benchmark/src/bin/compare.ts --full --out $D/compare-full-30min > $D/compare-full-30min.stdout.txt 2> $D/compare-full-30min.stderr.txt
echo "exit $?" >> $D/compare-full-30min.load-start.txt
{ cat /proc/loadavg; date -u +%FT%TZ; } > $D/compare-full-30min.load-end.txt
