/**
 * Profiles the loopflow side of the `cells` bench's attention cases: runs the same training
 * workload the bench times (cells-attention.ts) for a number of iterations under
 * `node --cpu-prof`; summarise the `.cpuprofile` with cells-loopflow-profile.ts `--summary`.
 *
 * ```sh
 * node --cpu-prof --cpu-prof-dir=prof -r ts-node/register/transpile-only tools/bench/cells-attention-profile.ts --cell attention-t64 --iterations 60
 * npx ts-node tools/bench/cells-loopflow-profile.ts --summary prof/<file>.cpuprofile --iterations 60
 * ```
 * (`--cell attention-t64` (default) or `attention-t1024`; `--path fused|composed|auto` (default auto).)
 */
import { ATTENTION_SHAPES, STANDARD_SIZE } from './cells-config';
import type { AttentionCellName } from './cells-config';
import { setAttentionPath } from '@loopflow/attention';
import type { AttentionPath } from '@loopflow/attention';
import { loopflowAttentionTraining } from './cells-attention';
import { BenchError } from './errors';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const steps = Number(option('iterations', '60'));
  const cell = option('cell', 'attention-t64') as AttentionCellName;
  if (!(cell in ATTENTION_SHAPES)) throw new BenchError('BENCH_OPTION', `cells-attention-profile: --cell ${cell}: expected attention-t64 or attention-t1024`);
  const path = option('path', 'auto') as AttentionPath;
  if (!['auto', 'fused', 'composed'].includes(path)) throw new BenchError('BENCH_OPTION', `cells-attention-profile: --path ${path}: expected auto, fused or composed`);
  setAttentionPath(path);
  const workload = await loopflowAttentionTraining({ ...STANDARD_SIZE, ...ATTENTION_SHAPES[cell] }, 1);
  const start = performance.now();
  for (let i = 0; i < steps; i++) workload.iterate();
  const ms = (performance.now() - start) / steps;
  console.log(`${steps} steps, ${ms.toFixed(1)} ms a step on average (warm-up included), loss ${workload.lastLoss()}; ${workload.describe()}`);
  workload.dispose();
  process.exit(0); // helper threads (the wasm matmul pool) must not keep the process alive
}

void main();
