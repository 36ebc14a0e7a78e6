// Combines time-jobs outputs that sampled different models of one suite into one projection:
// node combine.js full-transformer-after.json full-recurrent.json
// Each job takes its estimate from the file that sampled it; the jobs are laid on 2 lanes in
// the suite's order (longest first), as time-jobs and the pool do. Prints the training phase
// by model (CPU-seconds, uncorrected and load-corrected) and on 2 lanes, and the longest jobs.
const fs = require('fs');
const files = process.argv.slice(2);
const byId = new Map();
let order = null;
for (const f of files) {
  const body = JSON.parse(fs.readFileSync(f, 'utf8'));
  if (!order) order = body.jobs.map((j) => j.id);
  for (const j of body.jobs) if (j.estimateMs !== null) byId.set(j.id, j);
  console.log(`${f}: ${body.command}, ${body.startedAt} - ${body.finishedAt}, load ${body.loadAverage.map((x) => x.toFixed(1)).join(' ')}`);
}
function schedule(durations, lanes) {
  const free = new Array(lanes).fill(0);
  for (const d of durations) { let i = 0; for (let k = 1; k < lanes; k++) if (free[k] < free[i]) i = k; free[i] += d; }
  return Math.max(...free);
}
const jobs = order.map((id) => byId.get(id)).filter(Boolean);
console.log(`jobs estimated: ${jobs.length} of ${order.length}`);
const sum = {};
for (const j of jobs) {
  const s = (sum[j.model] ??= { estimate: 0, corrected: 0 });
  s.estimate += j.estimateMs / 1000;
  s.corrected += j.loadCorrectedMs / 1000;
}
for (const [m, s] of Object.entries(sum)) console.log(`${m.padEnd(12)} ${s.estimate.toFixed(0).padStart(7)} s as sampled, ${s.corrected.toFixed(0).padStart(6)} s load-corrected`);
console.log(`training phase on 2 lanes: ${(schedule(jobs.map((j) => j.estimateMs), 2) / 1000).toFixed(0)} s as sampled, ${(schedule(jobs.map((j) => j.loadCorrectedMs), 2) / 60000).toFixed(1)} min load-corrected`);
console.log('longest jobs, load-corrected s:');
for (const j of [...jobs].sort((a, b) => b.loadCorrectedMs - a.loadCorrectedMs).slice(0, 8)) console.log(`  ${j.id} ${(j.loadCorrectedMs / 1000).toFixed(0)}`);
