// How far the full suite got in 30 minutes (compare-full-30min.sh), and what was left:
//   node docs/results/issue13-final-2026-12-07/summarize-30min.js > docs/results/issue13-final-2026-12-07/summarize-30min.txt
// Finished jobs come from compare-full-30min/results.jsonl; what the rest would cost at most, from the
// quiet time-jobs sample of the same commit (../issue13-full-2026-12-07/time-jobs-full.json: every
// job scaled to its step limit).
const fs = require('fs');
const path = require('path');
const here = __dirname;
const done = fs.readFileSync(path.join(here, 'compare-full-30min/results.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const tj = JSON.parse(fs.readFileSync(path.join(here, '../issue13-full-2026-12-07/time-jobs-full.json'), 'utf8'));
const start = fs.readFileSync(path.join(here, 'compare-full-30min.load-start.txt'), 'utf8').trim().split('\n');
const end = fs.readFileSync(path.join(here, 'compare-full-30min.load-end.txt'), 'utf8').trim().split('\n');
console.log(`run: ${start[1]} (load ${start[0].split(' ').slice(0, 3).join(' ')}, commit ${start[2]}) to ${end[1]} (load ${end[0].split(' ').slice(0, 3).join(' ')}); ${start[3] ?? ''}`);
const ids = new Set(done.map((r) => r.id));
const training = done.filter((r) => r.kind === 'train');
console.log(`finished in 30 minutes: ${done.length} of 189 jobs (${training.length} of ${tj.jobs.length} training runs, ${done.length - training.length} measurements and gradient-flow runs)`);
for (const r of training) console.log(`  ${r.id}: ${r.steps} steps, ${r.stopped}, ${(r.wallMs / 1000).toFixed(0)} s, ${r.msPerStep.toFixed(1)} ms/step`);
const left = tj.jobs.filter((j) => !ids.has(j.id));
const leftS = left.reduce((t, j) => t + j.estimateMs, 0) / 1000;
console.log(`training runs left: ${left.length}; at most ${leftS.toFixed(0)} lane-s (${(leftS / 120).toFixed(1)} min on 2 lanes) by the quiet sample, each to its step limit`);
const leftT = left.filter((j) => j.model === 'transformer');
console.log(`  of which transformer: ${leftT.length} runs, ${(leftT.reduce((t, j) => t + j.estimateMs, 0) / 1000).toFixed(0)} lane-s`);
const laneS = (rs) => rs.reduce((t, r) => t + r.wallMs, 0) / 1000;
const tr = training.filter((r) => r.model === 'transformer');
const t1000 = tr.filter((r) => r.id.startsWith('adding/T=1000/'));
console.log(`finished transformer runs: ${laneS(tr).toFixed(0)} lane-s of the 3600 the 30 minutes give on 2 lanes; the three adding T = 1000 runs: ${laneS(t1000).toFixed(0)} lane-s (${(100 * laneS(t1000) / 3600).toFixed(0)}%), none solved (test MSE ${t1000.map((r) => r.test).join(', ')})`);
