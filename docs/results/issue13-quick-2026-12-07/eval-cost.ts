/**
 * The cost of the quick suite's validation passes: for each matching training job (seed 0), the
 * model at initialisation scored on its validation set `--passes` times (after 2 warm-up passes),
 * in this process on one kernel thread. Prints CPU ms and wall ms per pass (median), and a
 * checksum of the values (equal across builds when the numbers did not change).
 * Run from a checkout's root: node eval-cost.sh does the bundling (see run-eval-cost.sh).
 */
import { Random } from '@loopflow/tensor';
import { createBenchModel, createTask, evaluateSet, planSuite, resolveSuite } from '@loopflow/benchmark';

const args = process.argv.slice(2);
const match = new RegExp(args[0] ?? '.');
const passes = Number(args[1] ?? 10);
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const plan = planSuite(resolveSuite({ suite: 'quick' }));
for (const job of plan.training) {
  if (job.seed !== 0 || !match.test(job.id)) continue;
  const task = createTask(job.task);
  const model = createBenchModel(job.model, task, job.budget, new Random(`${job.seed}/init/${job.model}`), { maxLength: task.maxLength });
  let value = 0;
  for (let i = 0; i < 2; i++) value = evaluateSet(model, task, task.validation).value;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < passes; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    value = evaluateSet(model, task, task.validation).value;
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  console.log(`${job.id.replace(/\/seed=0$/, '')}: validation ${median(cpu).toFixed(1)} ms CPU, ${median(wall).toFixed(1)} ms wall per pass (median of ${passes}); value ${value}`);
}
