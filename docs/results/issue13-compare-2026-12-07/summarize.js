// Summarizes before-after.sh output: node summarize.js FILE.jsonl ... -> per file, the CPU ms per
// step (or per rep) of each side, their means, after / before, and the load range.
const fs = require('fs');
for (const f of process.argv.slice(2)) {
  const lines = fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const side = (s) => lines.filter((l) => l.side === s).map((l) => l.result.cpuMsPerStep ?? l.result.cpuMsPerRep);
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const b = side('before'), a = side('after');
  const loads = lines.flatMap((l) => [l.loadStart, l.loadEnd]);
  console.log(`${f}: before ${b.join(', ')} (mean ${mean(b).toFixed(0)}); after ${a.join(', ')} (mean ${mean(a).toFixed(0)}); after / before ${(mean(a) / mean(b)).toFixed(2)}; load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
}
