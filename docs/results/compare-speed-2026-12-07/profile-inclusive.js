// Inclusive time of frames matching each regex (counted once per sample).
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2])); const res = process.argv.slice(3).map((s) => new RegExp(s));
const byId = new Map(p.nodes.map((x) => [x.id, x])); const parent = new Map();
for (const x of p.nodes) for (const c of x.children || []) parent.set(c, x.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
const acc = res.map(() => 0); let tot = 0;
for (let i = 0; i < p.samples.length; i++) { const d = p.timeDeltas[i] || 0; tot += d; const names = []; let id = p.samples[i]; while (id !== undefined) { names.push(name(byId.get(id))); id = parent.get(id); }
  res.forEach((r, j) => { if (names.some((s) => r.test(s))) acc[j] += d; }); }
console.log('total', (tot / 1000).toFixed(0));
res.forEach((r, j) => console.log((acc[j] / 1000).toFixed(0).padStart(7), (100 * acc[j] / tot).toFixed(1).padStart(5) + '%', r.source));
