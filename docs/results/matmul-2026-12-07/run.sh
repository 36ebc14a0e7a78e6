#!/bin/sh
# Written by the docs engineer, 2026-12-07: the matmul bench once, its duration kept.
# Run from the repository root: sh docs/results/matmul-2026-12-07/run.sh
D=docs/results/matmul-2026-12-07
uptime > $D/load.txt
/usr/bin/time -v npm run -s bench -- matmul --json > $D/matmul.jsonl 2> $D/matmul.stderr.txt
uptime >> $D/load.txt
