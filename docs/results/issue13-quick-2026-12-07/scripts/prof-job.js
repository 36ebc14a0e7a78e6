const m = require('/tmp/q/bundle-lib.cjs');
const plan = m.planSuite(m.resolveSuite({ suite: 'quick' }));
const job = plan.training.find((j) => j.id === process.argv[2]);
(async () => {
  const c0 = process.cpuUsage();
  const r = await m.runJob({ ...job, maxSteps: Number(process.argv[3] ?? 300), stopWhenSolved: false, flowAfterTraining: false }, () => {}, true);
  const u = process.cpuUsage(c0);
  console.log(`${job.id}: ${r.steps} steps, wallMs ${r.wallMs.toFixed(0)}, msPerStep ${r.msPerStep.toFixed(2)}, cpu ${((u.user + u.system) / 1000).toFixed(0)} ms, test ${r.test}`);
})();
