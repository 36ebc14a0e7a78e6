const c0 = process.cpuUsage();
const cpu = () => { const u = process.cpuUsage(c0); return ((u.user + u.system) / 1000).toFixed(0); };
const m = require('/tmp/q/bundle-lib.cjs');
const job = { kind: 'train', id: 'copy/delay=5/rnn/seed=0', task: { task: 'copy', delay: 5, symbols: 3, alphabet: 4, validationSize: 250, testSize: 500 }, model: process.argv[2] ?? 'rnn', seed: 0, budget: 8000, batchSize: 32, maxSteps: 40, evalEvery: 50, lr: 0.01, clipGradNorm: 1, stopWhenSolved: true, flowAfterTraining: false };
(async () => {
  console.log('require', cpu());
  for (let i = 0; i < 3; i++) { const t = performance.now(); await m.runJob(job, () => {}, true); console.log(`job ${i}: ${(performance.now() - t).toFixed(0)} ms wall, cpu so far ${cpu()} ms`); }
})();
