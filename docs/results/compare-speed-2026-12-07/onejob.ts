import { runTrainJob } from '../../../packages/benchmark/src/training/train-run';
import { resolveSuite, planSuite } from '../../../packages/benchmark/src/plan';
import { widthForBudget } from '../../../packages/benchmark/src/models/budget';
import { createTask } from '../../../packages/benchmark/src/tasks/create-task';
const [suite, id, steps] = process.argv.slice(2);
const plan = planSuite(resolveSuite({ suite: suite as any }));
const job = plan.training.find((j) => j.id === id);
if (!job) { console.log(plan.training.map((j) => j.id).join('\n')); process.exit(1); }
const task = createTask(job.task);
console.log(JSON.stringify(widthForBudget(job.model, job.budget, task)));
const j = { ...job, maxSteps: steps ? Number(steps) : job.maxSteps, stopWhenSolved: false };
const t0 = performance.now();
runTrainJob(j).then((r) => console.log(id, 'steps', r.steps, 'msPerStep', r.msPerStep.toFixed(1), 'wall', ((performance.now() - t0) / 1000).toFixed(1), 's'));
