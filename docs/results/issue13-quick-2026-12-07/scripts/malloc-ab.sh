cd /work/wt/quick
for i in 1 2 3; do
for env in "X=1" "MALLOC_MMAP_THRESHOLD_=67108864" "MALLOC_MMAP_THRESHOLD_=67108864 MALLOC_TRIM_THRESHOLD_=268435456"; do
  r=$(env $env LOOPFLOW_THREADS=1 /usr/bin/time -f "%U u %S s maxrss %M KB" node --expose-gc /tmp/q/prof-job.js "$1" 200 2>&1 | tr '\n' ' ')
  echo "$env | $r"
done; done
