// Profiles one training job of a suite: node --cpu-prof -r ts-node/register/transpile-only onejob.ts quick 'adding/T=100/transformer/seed=0' 60
// (run from the repository root with TS_NODE_PROJECT=tsconfig.json so @loopflow/* resolve to the sources)
import { createTask, planSuite, resolveSuite, runTrainJob, widthForBudget } from '@loopflow/benchmark';
const [suite, id, steps] = process.argv.slice(2);
const plan = planSuite(resolveSuite({ suite: suite as any }));
const job = plan.training.find((j) => j.id === id);
if (!job) { console.log(plan.training.map((j) => j.id).join('\n')); process.exit(1); }
const task = createTask(job.task);
console.log(JSON.stringify(widthForBudget(job.model, job.budget, task)));
const j = { ...job, maxSteps: steps ? Number(steps) : job.maxSteps, stopWhenSolved: false };
const t0 = performance.now();
runTrainJob(j).then((r) => console.log(id, 'steps', r.steps, 'msPerStep', r.msPerStep.toFixed(1), 'wall', ((performance.now() - t0) / 1000).toFixed(1), 's'));
