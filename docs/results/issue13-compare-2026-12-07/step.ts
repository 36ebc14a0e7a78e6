// Times training steps (forward, backward, clip, Adam) of one suite job, no validation or test pass, in the
// repository the current directory is (run by before-after.sh; or from a repository root:
// LOOPFLOW_THREADS=1 TS_NODE_PROJECT=tsconfig.json node -r ts-node/register/transpile-only -r tsconfig-paths/register step.ts full 'adding/T=1000/transformer/seed=0' 1 3).
// Arguments: suite, job id, warm-up steps, timed steps. Prints the median and least wall ms/step and the CPU ms/step.
import { Random, noGrad } from '@loopflow/tensor';
import { adam, clipGradNorm } from '@loopflow/optimizers';
// eslint-disable-next-line
const { createBenchModel, createTask, planSuite, resolveSuite } = require(require('path').join(process.cwd(), 'packages/benchmark/src/index'));
import { parameters } from '@loopflow/layers';
const [suite, id, warmS, timedS, evalS] = process.argv.slice(2);
const plan = planSuite(resolveSuite({ suite: suite as any }));
const job = plan.training.find((j) => j.id === id)!;
const task = createTask(job.task);
const model = createBenchModel(job.model, task, job.budget, new Random('0/init'), { maxLength: task.maxLength });
const params = parameters(model.module as any);
const opt = adam(params, { lr: job.lr });
const rng = new Random('b');
const step = () => {
  const batch = task.trainBatch(rng, job.batchSize);
  const out = model.forward(batch.inputs, task.readFrom(batch.inputs.shape[0]));
  const ev = task.evaluate(out, batch);
  opt.zeroGrad();
  ev.loss.backward();
  clipGradNorm(params, job.clipGradNorm);
  opt.step();
};
for (let i = 0; i < Number(warmS); i++) step();
const ms: number[] = [];
const c0 = process.cpuUsage();
for (let i = 0; i < Number(timedS); i++) { const t = performance.now(); step(); ms.push(performance.now() - t); }
const c = process.cpuUsage(c0);
ms.sort((a, b) => a - b);
console.log(JSON.stringify({ id, msMedian: +ms[ms.length >> 1].toFixed(1), msMin: +ms[0].toFixed(1), cpuMsPerStep: +((c.user + c.system) / 1000 / ms.length).toFixed(1), steps: ms.length }));
if (evalS) {
  const t = performance.now(); const c1 = process.cpuUsage();
  noGrad(() => { for (const b of task.validation.slice(0, Number(evalS))) model.forward(b.inputs, task.readFrom(b.inputs.shape[0])); });
  const cc = process.cpuUsage(c1);
  console.log(JSON.stringify({ evalBatches: Number(evalS), wallMs: +(performance.now() - t).toFixed(0), cpuMs: +((cc.user + cc.system) / 1000).toFixed(0) }));
}
