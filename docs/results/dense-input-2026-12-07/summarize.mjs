// Prints the figures of one set of this folder's runs: per case, steps/s (and steps per CPU
// second) of every before-N and after-N run, the medians, after/before, and PyTorch's figures
// of the same runs with the loopflow/PyTorch ratio of each after run.
//   node summarize.mjs        run.sh's set (before-N, after-N)
//   node summarize.mjs t1-    run-2.sh's set (one thread)
//   node summarize.mjs b1-    run-3.sh's set (batch-1 streaming)
import { readFileSync, readdirSync } from 'fs';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const dir = dirname(fileURLToPath(import.meta.url));
const prefix = process.argv[2] ?? '';
const runs = readdirSync(dir).filter((f) => f.startsWith(prefix) && /^(before|after)-\d+\.jsonl$/.test(f.slice(prefix.length))).sort();
const rows = [];
for (const file of runs) {
  const side = file.slice(prefix.length).startsWith('before') ? 'before' : 'after';
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    rows.push({ side, file, ...JSON.parse(line) });
  }
}
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '-');
const keys = [...new Set(rows.filter((r) => r.impl !== 'pytorch').map((r) => `${r.impl} ${r.cell} ${r.mode}`))];
console.log('case                           before (each run)            after (each run)             median before  median after  after/before');
for (const key of keys) {
  const of = (side) => rows.filter((r) => r.side === side && `${r.impl} ${r.cell} ${r.mode}` === key).map((r) => r.steps_per_s);
  const b = of('before');
  const a = of('after');
  const ratio = median(a) / median(b);
  console.log(`${key.padEnd(30)} ${b.map(fmt).join(' ').padEnd(28)} ${a.map(fmt).join(' ').padEnd(28)} ${fmt(median(b)).padStart(13)} ${fmt(median(a)).padStart(13)} ${Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : '-'}`);
}
console.log('\nthe same by steps per CPU second (all the process\'s threads):');
for (const key of keys) {
  const of = (side) => rows.filter((r) => r.side === side && `${r.impl} ${r.cell} ${r.mode}` === key).map((r) => r.steps_per_cpu_s);
  const b = of('before');
  const a = of('after');
  const ratio = median(a) / median(b);
  if (b.length === 0) continue;
  console.log(`${key.padEnd(30)} ${b.map(fmt).join(' ').padEnd(28)} ${a.map(fmt).join(' ').padEnd(28)} ${fmt(median(b)).padStart(13)} ${fmt(median(a)).padStart(13)} ${Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : '-'}`);
}
console.log('\nPyTorch in the after runs (loopflow dense / PyTorch, loopflow-tokens / PyTorch, in the same run):');
for (const t of rows.filter((r) => r.impl === 'pytorch')) {
  const same = (impl) => rows.find((r) => r.file === t.file && r.impl === impl && r.cell === t.cell && r.mode === t.mode);
  const dense = same('loopflow');
  const tokens = same('loopflow-tokens');
  const ratio = (r) => (r ? `${(r.steps_per_s / t.steps_per_s).toFixed(2)}x` : '-');
  console.log(`  ${t.file.padEnd(14)} ${t.cell.padEnd(5)} ${t.mode.padEnd(9)} pytorch ${fmt(t.steps_per_s).padStart(9)}  dense ${fmt(dense?.steps_per_s).padStart(9)} ${ratio(dense).padStart(6)}  tokens ${fmt(tokens?.steps_per_s).padStart(9)} ${ratio(tokens).padStart(6)}`);
}
console.log('\ncpu/wall of the loopflow cases (below 0.8: the case got less than a core; see the bench\'s warning):');
for (const file of runs) {
  const shares = rows.filter((r) => r.file === file && r.impl.startsWith('loopflow')).map((r) => r.cpu_per_wall);
  if (shares.length) console.log(`  ${file.padEnd(14)} ${shares.map((s) => s.toFixed(2)).join(' ')}`);
}
