import * as fs from 'fs';
import * as path from 'path';
import { figureCheck, figureSections, numbersOfFiles } from './figures';
const text = fs.readFileSync('docs/benchmarks.md', 'utf8');
function under(f: string): string[] { return fs.statSync(f).isDirectory() ? fs.readdirSync(f).sort().flatMap((n) => under(path.join(f, n))) : [f]; }
for (const s of figureSections(text)) {
  const files = s.files.flatMap(under);
  const need = figureCheck(s.text, []).map((f) => f.text);
  let left = new Set(need.map((_, i) => i));
  const pick: string[] = [];
  const vals = new Map(files.map((f) => [f, numbersOfFiles([f])]));
  while (left.size) {
    let best = ''; let bestCover: number[] = [];
    for (const f of files) { const v = vals.get(f)!; const cov = [...left].filter((i) => figureCheck(need[i], v).length === 0); if (cov.length > bestCover.length) { best = f; bestCover = cov; } }
    if (!best) break; pick.push(best); bestCover.forEach((i) => left.delete(i));
  }
  console.log(s.line, s.files.join(' '), '=>', pick.join(' '), left.size ? 'LEFT ' + [...left].map((i) => need[i]) : '');
}
