// node same-metrics.js A/results.jsonl B/results.jsonl: whether every training run of two quick-suite
// runs trained the same (steps, curve, test metric, per-group test, steps to solve, how it stopped)
// and every gradient-flow curve is equal; prints the differences and the job and suite times side by side.
const fs = require('fs');
const read = (f) => new Map(fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.id, r]));
const [a, b] = process.argv.slice(2).map(read);
const pick = (r) => r.kind === 'train'
  ? { steps: r.steps, curve: r.curve, test: r.test, testByGroup: r.testByGroup, stepsToSolve: r.stepsToSolve, stopped: r.stopped, flowAfter: r.flowAfter && r.flowAfter.points }
  : r.kind === 'gradient-flow' ? { curve: r.curve } : null;
let same = 0, differ = 0, wallA = 0, wallB = 0;
const byModel = {};
for (const [id, ra] of a) {
  const rb = b.get(id);
  if (!rb) { console.log(`${id}: missing in the second run`); differ++; continue; }
  const pa = pick(ra), pb = pick(rb);
  if (pa === null) continue;
  if (JSON.stringify(pa) === JSON.stringify(pb)) same++;
  else { differ++; console.log(`${id}: differs`); }
  if (ra.kind === 'train') {
    wallA += ra.wallMs; wallB += rb.wallMs;
    const m = (byModel[ra.model] ??= [0, 0]);
    m[0] += ra.wallMs / 1000; m[1] += rb.wallMs / 1000;
  }
}
console.log(`${same} jobs the same, ${differ} different`);
console.log(`training job time (sum of wallMs): ${(wallA / 1000).toFixed(0)} s -> ${(wallB / 1000).toFixed(0)} s`);
for (const [m, [x, y]] of Object.entries(byModel)) console.log(`  ${m}: ${x.toFixed(0)} s -> ${y.toFixed(0)} s`);
