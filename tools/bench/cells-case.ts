/**
 * Runs one case of the `cells` bench in the current process: builds the implementation's
 * workload (loading only that implementation: a loopflow case never loads TensorFlow.js),
 * times it and reads the peak RSS. The bench runs each case in its own child process
 * (cells-worker.ts); the spec calls this directly on a tiny size.
 */
import type { CaseResult, CaseSpec } from './cells-config';
import { INFERENCE_CHUNK, isAttention } from './cells-config';
import { timeIterations } from './cells-timing';
import type { Workload } from './cells-workload';
import { BenchError } from './errors';

async function buildWorkload(spec: CaseSpec, chunk: number): Promise<Workload> {
  const { impl, cell, mode, size, seed } = spec;
  if (mode === 'infer-b1' && cell !== 'lstm') throw new BenchError('BENCH_CASE', `cells bench: infer-b1 is measured for the lstm only, not ${cell}`);
  if (isAttention(cell)) {
    if (impl !== 'loopflow' || mode !== 'train') throw new BenchError('BENCH_CASE', `cells bench: ${cell} is measured for impl loopflow in mode train only, not ${impl} ${mode}`);
    const { loopflowAttentionTraining } = await import('./cells-attention');
    return loopflowAttentionTraining(size, seed);
  }
  if (impl === 'loopflow-tokens' && mode !== 'train') throw new BenchError('BENCH_CASE', `cells bench: ${impl} is a training input; infer-b1 is measured as impl loopflow (streamer.stepIndex)`);
  if (impl === 'loopflow' || impl === 'loopflow-tokens') {
    const { loopflowInference, loopflowTraining } = await import('./cells-loopflow');
    return mode === 'train' ? loopflowTraining(impl === 'loopflow' ? 'dense' : 'tokens')(cell, size, seed) : loopflowInference(size, chunk, seed);
  }
  const { tfjsInference, tfjsTraining } = await import('./cells-tfjs');
  const backend = impl === 'tfjs-wasm' ? 'wasm' : 'cpu';
  return mode === 'train' ? tfjsTraining(backend)(cell, size, seed) : tfjsInference(backend)(size, chunk, seed);
}

/**
 * Measures `spec`. `chunk` is the number of streamed steps per timed iteration (inference).
 *
 * @example const r = await runCase({ impl: 'loopflow', cell: 'lstm', mode: 'train', size, plan, seed: 1 });
 */
export async function runCase(spec: CaseSpec, chunk = INFERENCE_CHUNK): Promise<CaseResult> {
  const workload = await buildWorkload(spec, chunk);
  try {
    const timing = await timeIterations(() => workload.iterate(), spec.plan);
    const loss = workload.lastLoss();
    return {
      impl: spec.impl,
      cell: spec.cell,
      mode: spec.mode,
      stepsPerSecond: workload.stepsPerIteration / timing.median,
      bestStepsPerSecond: workload.stepsPerIteration / timing.best,
      secondsPerIteration: timing.median,
      iterations: timing.iterations,
      stepsPerIteration: workload.stepsPerIteration,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      cpuPerWall: timing.cpuPerWall,
      stepsPerCpuSecond: workload.stepsPerIteration / timing.cpuPerIteration,
      path: workload.describe(),
      ...(loss === undefined ? {} : { loss }),
    };
  } finally {
    workload.dispose();
  }
}
