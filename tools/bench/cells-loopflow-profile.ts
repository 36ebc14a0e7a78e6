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
import { formatUsageError, parseArgs, UsageError } from '@loopflow/benchmark';
import type { OptionSpec, ParsedArgs } from '@loopflow/benchmark';

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

const USAGE = 'usage: cells-loopflow-profile.ts [--cell lstm|gru|rnn] [--input dense|tokens] [--iterations N] | --summary <file.cpuprofile> [--iterations N] [--rows N]';

/** The script's options (the shared parser of @loopflow/benchmark). */
const OPTIONS: Record<string, OptionSpec> = {
  cell: { type: 'string', value: 'lstm|gru|rnn', choices: ['lstm', 'gru', 'rnn'], description: 'the cell to train' },
  input: { type: 'string', value: 'dense|tokens', choices: ['dense', 'tokens'], description: 'one-hot input (impl loopflow) or token ids (loopflow-tokens)' },
  iterations: { type: 'number', value: 'N', description: 'training steps to run, or the steps the profile covers (summary)' },
  summary: { type: 'string', value: '<file.cpuprofile>', description: 'summarise a profile instead of running' },
  rows: { type: 'number', value: 'N', description: 'rows of the summary' },
  help: { type: 'flag', short: 'h', description: 'this text' },
};

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
  let options: ParsedArgs['options'];
  try {
    options = parseArgs(process.argv.slice(2), OPTIONS).options;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(formatUsageError('cells-loopflow-profile', e, USAGE));
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const steps = (options.iterations as number | undefined) ?? 200;
  if (!Number.isInteger(steps) || steps < 1) throw new BenchError('BENCH_OPTION', `cells-loopflow-profile: option '--iterations' needs a whole number >= 1, got ${steps}`);
  const summary = options.summary as string | undefined;
  if (summary) {
    console.log(summarise(summary, steps, (options.rows as number | undefined) ?? 30));
    return;
  }
  const input = (options.input as LoopflowInput | undefined) ?? 'dense';
  const workload = await loopflowTraining(input)(((options.cell as string | undefined) ?? 'lstm') as CellName, STANDARD_SIZE, 1);
  const start = performance.now();
  for (let i = 0; i < steps; i++) workload.iterate();
  const ms = (performance.now() - start) / steps;
  console.log(`${steps} steps, ${ms.toFixed(1)} ms a step on average (warm-up included), loss ${workload.lastLoss()}; ${workload.describe()}`);
  workload.dispose();
  process.exit(0); // helper threads (the wasm matmul pool) must not keep the process alive
}

void main();
