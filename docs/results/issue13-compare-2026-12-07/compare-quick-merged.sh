# the quick suite after every branch of the 2026-12-07 evening was merged (main), one run
# load average at start and end are in compare-quick-merged.load-*.txt; another engineer ran tools/docs tests and a 26 s matmul bench during it
/usr/bin/time -v npx ts-node packages/benchmark/src/bin/compare.ts --quick --out docs/results/issue13-compare-2026-12-07/compare-quick-merged
