#!/bin/sh
# alternated rounds: base (24334a0) then this branch
for round in 1 2; do
  for side in base branch; do
    if [ $side = base ]; then dir=/tmp/pyattn-base; else dir=/work/wt/pyattn; fi
    echo "== round $round $side $(git -C $dir rev-parse --short HEAD) $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/pyattn-bench/log.txt
    (cd $dir && npm run -s bench -- cells --cells attention --impl loopflow --mode train) >> /tmp/pyattn-bench/log.txt 2>&1
  done
done
echo "== done $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/pyattn-bench/log.txt
