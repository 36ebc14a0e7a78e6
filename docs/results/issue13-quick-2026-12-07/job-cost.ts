/**
 * CPU time of whole training jobs of the quick suite (seed 0, its own settings, `steps` steps, no
 * early stop), in this process on one kernel thread: a same-sitting check of two checkouts
 * (run-job-cost.sh alternates them). Prints CPU ms, the median ms/step and the test metric.
 */
import { planSuite, resolveSuite, runTrainJob } from '@loopflow/benchmark';

async function main(): Promise<void> {
  const [match, steps] = [new RegExp(process.argv[2] ?? '.'), Number(process.argv[3] ?? 200)];
  const plan = planSuite(resolveSuite({ suite: 'quick', tasks: ['adding', 'copy'] }));
  for (const job of plan.training) {
    if (job.seed !== 0 || !match.test(job.id)) continue;
    const c = process.cpuUsage();
    const r = await runTrainJob({ ...job, maxSteps: steps, stopWhenSolved: false, flowAfterTraining: false });
    const u = process.cpuUsage(c);
    console.log(`${job.id}: ${steps} steps, ${((u.user + u.system) / 1000).toFixed(0)} ms CPU, median step ${r.msPerStep.toFixed(2)} ms, test ${r.test}`);
  }
}
main();
