/**
 * Profiles the loopflow side of the `cells` bench: runs its training workload (the same
 * `loopflowTraining` the bench times) for a number of iterations under `node --cpu-prof`, or
 * summarises a `.cpuprofile` written that way (self and inclusive time per function, in ms
 * per training step).
 *
 * ```sh
 * node --cpu-prof --cpu-prof-dir=prof -r ts-node/register tools/bench/cells-loopflow-profile.ts --cell lstm --input dense --iterations 200
 * npx ts-node tools/bench/cells-loopflow-profile.ts --summary prof/<file>.cpuprofile --iterations 215
 * ```
 * (`--input dense` (default, impl `loopflow`) or `tokens` (impl `loopflow-tokens`); `--iterations` of the summary: the steps the profile covers, warm-up included, to divide by.)
 */
import * as fs from 'fs';
import { STANDARD_SIZE } from './cells-config';
import type { CellName } from './cells-config';
import { loopflowTraining } from './cells-loopflow';
import type { LoopflowInput } from './cells-loopflow';
import { BenchError } from './errors';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

/** Self and inclusive milliseconds per function (`name file:line`), per step, largest first. */
function summarise(file: string, steps: number, rows: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(packages|tools|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id) as ProfileNode;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = label(byId.get(cur) as ProfileNode);
      if (!seen.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      seen.add(name);
    }
  });
  const table = (title: string, m: Map<string, number>): string =>
    [`${title} (ms per step)`, ...[...m].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([k, us]) => `${(us / 1000 / steps).toFixed(2).padStart(8)}  ${k}`)].join('\n');
  return `${table('self', self)}\n\n${table('inclusive', inclusive)}`;
}

async function main(): Promise<void> {
  const steps = Number(option('iterations', '200'));
  const summary = option('summary', '');
  if (summary) {
    console.log(summarise(summary, steps, Number(option('rows', '30'))));
    return;
  }
  const input = option('input', 'dense');
  if (input !== 'dense' && input !== 'tokens') throw new BenchError('BENCH_OPTION', `cells-loopflow-profile: --input ${input}: expected dense or tokens`);
  const workload = await loopflowTraining(input as LoopflowInput)(option('cell', 'lstm') as CellName, STANDARD_SIZE, 1);
  const start = performance.now();
  for (let i = 0; i < steps; i++) workload.iterate();
  const ms = (performance.now() - start) / steps;
  console.log(`${steps} steps, ${ms.toFixed(1)} ms a step on average (warm-up included), loss ${workload.lastLoss()}; ${workload.describe()}`);
  workload.dispose();
  process.exit(0); // helper threads (the wasm matmul pool) must not keep the process alive
}

void main();
