// Medians of the alternating before/after cells-bench runs kept in this folder (see README.md).
// Usage: node docs/results/issue11-cells-ab/summarize.mjs
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
for (const set of ['', 'r2-', 'r3-']) {
  const rows = new Map();
  for (const file of readdirSync(here).filter((f) => f.endsWith('.jsonl') && (set ? f.startsWith(set) : /^(before|main)-/.test(f)))) {
    const side = file.includes('before') ? 'before' : 'after';
    for (const line of readFileSync(join(here, file), 'utf8').split('\n').filter(Boolean)) {
      const d = JSON.parse(line);
      const key = `${d.cell} ${d.mode}${/--threads 1/.test(set) ? '' : ''}`;
      if (!rows.has(key)) rows.set(key, { before: [], after: [] });
      rows.get(key)[side].push(d);
    }
  }
  console.log(`set ${set || 'r1-'} (run-${set ? set[1] : 1}.sh)`);
  for (const [key, { before, after }] of rows) {
    const f = (list, field) => median(list.map((d) => d[field]));
    console.log(`  ${key.padEnd(15)} steps/s median ${f(before, 'steps_per_s').toFixed(0)} -> ${f(after, 'steps_per_s').toFixed(0)} (x${(f(after, 'steps_per_s') / f(before, 'steps_per_s')).toFixed(3)}), best step x${(f(after, 'best_steps_per_s') / f(before, 'best_steps_per_s')).toFixed(3)}, per CPU-second x${(f(after, 'steps_per_cpu_s') / f(before, 'steps_per_cpu_s')).toFixed(3)}  [${before.length} + ${after.length} runs]`);
  }
}
