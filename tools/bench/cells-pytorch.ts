/**
 * `--pytorch` of the `cells` bench: runs PyTorch's anchor scripts (tools/bench/pytorch, the
 * project's own; see its README) in the same sitting as loopflow's cases, with
 * `/usr/bin/python3` and `OPENBLAS_NUM_THREADS=1` (PyTorch's own 2 threads, set by the
 * scripts), and lines their figures up beside loopflow's. Never part of CI or `npm test`.
 *
 * Training: `bench_torch.bench(kind, 'cpu', threads=2, T, B, V, H, reps)` per cell (kind =
 * the cell, or 'attention' for both attention cases), imported from the script (it has no
 * case-selecting options; its `__main__` runs every case). Its figure is the median step, as
 * loopflow's. Batch-1 streaming: the script `bench_torch_b1.py` as is (64 steps a rep, the
 * head's argmax fed back: a little more work than loopflow's streamer, which has no head).
 */
import { execFile } from 'child_process';
import * as path from 'path';
import type { CaseResult, CellName, ModeName, ModelSize } from './cells-config';
import { isAttention } from './cells-config';
import { BenchError } from './errors';

export const PYTHON = '/usr/bin/python3';
export const PYTORCH_DIR = path.join(__dirname, 'pytorch');
export const INSTALL_HINT = 'install it with `apt-get install -y python3-torch libopenblas0-pthread` (see tools/bench/pytorch/README.md)';

/** One PyTorch case to run. */
export interface TorchCase {
  cell: CellName;
  mode: ModeName;
  size: ModelSize;
  /** Timed steps (training). */
  reps: number;
}

/** What PyTorch measured for a case. */
export interface TorchResult {
  cell: CellName;
  mode: ModeName;
  stepsPerSecond: number;
}

function run(args: string[], timeoutMs: number, python = PYTHON): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, args, { cwd: PYTORCH_DIR, timeout: timeoutMs, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new BenchError('BENCH_PYTORCH', `${python} ${args.join(' ').slice(0, 120)}: ${err.message.split('\n')[0]}${stderr ? `\n${stderr.trim().split('\n').slice(-5).join('\n')}` : ''}`));
      else resolve(stdout);
    });
  });
}

/** The torch version, or the reason and how to install it when `python` (default `/usr/bin/python3`) cannot import torch. */
export async function torchVersion(python = PYTHON): Promise<{ version: string } | { missing: string }> {
  try {
    return { version: (await run(['-c', 'import torch; print(torch.__version__)'], 60_000, python)).trim() };
  } catch (err) {
    return { missing: `PyTorch is not available to ${python} (${(err as Error).message.split('\n').pop()?.trim()}); ${INSTALL_HINT}` };
  }
}

/** The Python that runs one training case of bench_torch.py and prints its JSON line. */
export function trainingScript(c: TorchCase): string {
  const kind = isAttention(c.cell) ? 'attention' : c.cell;
  const { steps, batch, vocab, hidden } = c.size;
  return `import json, bench_torch as b; print(json.dumps(b.bench(${JSON.stringify(kind)}, "cpu", threads=2, T=${steps}, B=${batch}, V=${vocab}, H=${hidden}, reps=${c.reps})))`;
}

/** The PyTorch cases matching loopflow's planned ones (each training cell once; infer-b1 if planned). */
export function torchCases(planned: readonly { cell: CellName; mode: ModeName; size: ModelSize }[], quick: boolean): TorchCase[] {
  const out: TorchCase[] = [];
  for (const p of planned) {
    if (out.some((c) => c.cell === p.cell && c.mode === p.mode)) continue;
    const long = p.size.steps * p.size.steps * p.size.batch > 64 * 64 * 32 * 2;
    out.push({ cell: p.cell, mode: p.mode, size: p.size, reps: quick ? 3 : long ? 5 : 20 });
  }
  return out;
}

/** Runs one PyTorch case. */
export async function runTorchCase(c: TorchCase): Promise<TorchResult> {
  if (c.mode === 'infer-b1') {
    const line = JSON.parse((await run(['bench_torch_b1.py'], 600_000)).trim().split('\n').pop() ?? '{}') as { steps_per_s_median?: number };
    if (typeof line.steps_per_s_median !== 'number') throw new BenchError('BENCH_PYTORCH', 'bench_torch_b1.py printed no steps_per_s_median; run it by hand in tools/bench/pytorch to see its output');
    return { cell: c.cell, mode: c.mode, stepsPerSecond: line.steps_per_s_median };
  }
  const line = JSON.parse((await run(['-c', trainingScript(c)], 600_000)).trim().split('\n').pop() ?? '{}') as { timesteps_per_s?: number };
  if (typeof line.timesteps_per_s !== 'number') throw new BenchError('BENCH_PYTORCH', 'bench_torch.bench printed no timesteps_per_s; run bench_torch.py by hand in tools/bench/pytorch to see its output');
  return { cell: c.cell, mode: c.mode, stepsPerSecond: line.timesteps_per_s };
}

/** loopflow's rows (both inputs) beside PyTorch's, with loopflow / PyTorch ratios. */
export function pytorchTable(results: readonly CaseResult[], torch: readonly TorchResult[]): string[] {
  const lines = ['cell              mode      pytorch steps/s   loopflow (dense)   ratio   loopflow-tokens   ratio'];
  const fmt = (v: number | undefined): string => (v === undefined ? '-' : Math.round(v).toLocaleString('en-US'));
  const ratio = (v: number | undefined, t: number): string => (v === undefined ? '-' : `${(v / t).toFixed(2)}x`);
  for (const t of torch) {
    const dense = results.find((r) => r.impl === 'loopflow' && r.cell === t.cell && r.mode === t.mode)?.stepsPerSecond;
    const tokens = results.find((r) => r.impl === 'loopflow-tokens' && r.cell === t.cell && r.mode === t.mode)?.stepsPerSecond;
    lines.push(`${t.cell.padEnd(17)} ${t.mode.padEnd(9)} ${fmt(t.stepsPerSecond).padStart(15)}   ${fmt(dense).padStart(16)}   ${ratio(dense, t.stepsPerSecond).padStart(5)}   ${fmt(tokens).padStart(15)}   ${ratio(tokens, t.stepsPerSecond).padStart(5)}`);
  }
  return lines;
}
