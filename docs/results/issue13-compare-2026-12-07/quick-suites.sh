#!/bin/bash
# The quick suite after (this checkout) then before (BEFORE, default /work/wt/compare-before), each
# under /usr/bin/time -v, with the load average at the start and the end.
here=$(cd "$(dirname "$0")" && pwd)
before=${BEFORE:-/work/wt/compare-before}; after=$(cd "$here/../../.." && pwd)
for side in after before; do
  dir=$before; [ "$side" = after ] && dir=$after
  echo "$side start $(date -u +%H:%M:%S) load $(cat /proc/loadavg)" >> "$here/quick-suites.txt"
  (cd "$dir" && /usr/bin/time -v npx ts-node packages/benchmark/src/bin/compare.ts --quick --out "$here/compare-quick-$side" > "$here/compare-quick-$side.stdout.txt" 2> "$here/compare-quick-$side.stderr.txt")
  echo "$side end $(date -u +%H:%M:%S) load $(cat /proc/loadavg); $(grep -E 'Elapsed' "$here/compare-quick-$side.stderr.txt")" >> "$here/quick-suites.txt"
done
