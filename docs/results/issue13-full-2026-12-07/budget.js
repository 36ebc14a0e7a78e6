// What the full suite costs at its step budgets, from files in this folder:
//   node docs/results/issue13-full-2026-12-07/budget.js > docs/results/issue13-full-2026-12-07/budget.txt
// time-jobs-full.json: time-jobs --full --steps 3 on a quiet machine (every job scaled to its step limit);
// full-suite-stopped.log: the full suite itself (commit c853795), stopped after the adding T = 1000
// transformer runs had gone their 1000 steps; steps.txt: loopflow and PyTorch per step, one sitting.
const fs = require('fs');
const path = require('path');
const here = __dirname;
const tj = JSON.parse(fs.readFileSync(path.join(here, 'time-jobs-full.json'), 'utf8'));
const s = (ms) => ms / 1000;
const laneBudget = 2 * 30 * 60; // 30 minutes on 2 lanes, in lane-seconds
const sum = (jobs) => jobs.reduce((t, j) => t + j.estimateMs, 0);
const byModel = {};
for (const j of tj.jobs) byModel[j.model] = (byModel[j.model] ?? 0) + j.estimateMs;
console.log(`time-jobs ${tj.command ?? ''} (${tj.startedAt} - ${tj.finishedAt}, load ${tj.loadAverage?.map((x) => x.toFixed(2)).join(' ')})`);
console.log(`30 minutes on the suite's 2 lanes: ${laneBudget} lane-s`);
console.log(`upper bound of the training phase (every job to its step limit): ${s(sum(tj.jobs)).toFixed(0)} lane-s, ${(s(sum(tj.jobs)) / 120).toFixed(1)} min on 2 lanes`);
for (const [m, ms] of Object.entries(byModel)) console.log(`  ${m}: ${s(ms).toFixed(0)} lane-s`);
// Jobs that cannot end early: tasks without a solved threshold, and the adding T = 1000 transformer,
// which the full suite's own run did not solve in 1000 steps (log below).
const log = fs.readFileSync(path.join(here, 'full-suite-stopped.log'), 'utf8');
const unsolved = [...log.matchAll(/^\s*(adding\/T=1000\/transformer\/seed=\d+) step 1000\/1000 loss [\d.]+ valid ([\d.]+)/gm)].map((m) => `${m[1]} (validation MSE ${m[2]} at step 1000)`);
const done = [...log.matchAll(/done (adding\/T=1000\/transformer\/seed=\d+): test ([\d.]+), not solved in 1000 steps/g)].map((m) => `${m[1]} (test MSE ${m[2]})`);
console.log(`adding T = 1000 transformer runs of the full suite that went all 1000 steps unsolved: ${[...new Set([...done, ...unsolved])].join('; ')}`);
const fixed = tj.jobs.filter((j) => /^(long-context|char-lm|co2)\//.test(j.id));
const t1000 = tj.jobs.filter((j) => /^adding\/T=1000\/transformer\//.test(j.id));
const t500 = tj.jobs.filter((j) => /^adding\/T=500\/transformer\//.test(j.id));
console.log(`adding T = 1000 transformer, 3 seeds x 1000 steps: ${s(sum(t1000)).toFixed(0)} lane-s = ${(100 * s(sum(t1000)) / laneBudget).toFixed(0)}% of the 30 minutes`);
console.log(`adding T = 500 transformer, 3 seeds x 2000 steps (if unsolved): ${s(sum(t500)).toFixed(0)} lane-s`);
console.log(`jobs with no early stop (long-context, char-lm, co2): ${s(sum(fixed)).toFixed(0)} lane-s`);
const floor = sum(t1000) + sum(fixed);
console.log(`floor from these alone: ${s(floor).toFixed(0)} lane-s = ${(s(floor) / 120).toFixed(1)} min on 2 lanes, before any adding or copy job of the other lengths and models`);
// loopflow against PyTorch per step (steps.txt)
const steps = fs.readFileSync(path.join(here, 'steps.txt'), 'utf8');
for (const T of [100, 500, 1000]) {
  const lf = new RegExp(`loopflow T=${T}: (\\{.*\\})`).exec(steps);
  const full = new RegExp(`pytorch T=${T} full: .*\\(median (\\d+)\\)`).exec(steps);
  const last = new RegExp(`pytorch T=${T} last-read: .*\\(median (\\d+)\\)`).exec(steps);
  if (!lf || !full || !last) continue;
  const cpu = JSON.parse(lf[1]).cpuMsPerStep;
  console.log(`T = ${T}: loopflow ${cpu} CPU ms/step (last block at the read step); PyTorch ${last[1]} (the same), ${full[1]} (every block over all steps): PyTorch / loopflow ${(Number(last[1]) / cpu).toFixed(1)}x on the same work`);
}
