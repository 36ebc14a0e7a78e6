import { Random, Tensor } from '@loopflow/tensor';
import { parameters } from '@loopflow/layers';
import { adam, clipGradNorm } from '@loopflow/optimizers';
import type { ModelKind } from '../names';
import { createBenchModel } from '../models/create-model';
import { addingTask } from '../tasks/adding';
import { collectGarbage, heapBytes, peakRssBytes } from '../training/memory';
import type { JobProgress } from '../training/train-run';
import { PowerLawFit, fitPowerLaw, lastSegmentExponent } from './fit';
import { graphStats } from './graph-bytes';

/** A scaling measurement: one model, training steps at growing sequence lengths. */
export interface ScalingJob {
  kind: 'scaling';
  id: string;
  model: ModelKind;
  /** Sequence lengths, measured in increasing order. */
  lengths: number[];
  batchSize: number;
  /** Parameter budget of the (small) model. */
  budget: number;
  /** Timed steps per length (after `warmup` untimed steps). */
  repeats: number;
  /** Untimed steps before the timed ones at each length (default 1; 3 before the first length). */
  warmup?: number;
}

/** The measurements at one length. */
export interface ScalingPoint {
  length: number;
  /** Wall time of a training step (forward, backward, clip, Adam), the best of the timed steps (robust to load spikes), ms. */
  msPerStep: number;
  /** Every timed step, ms. */
  msAll: number[];
  /**
   * Bytes of the tensors the autograd graph keeps for backward (every tensor reachable from
   * the loss, parameters excluded): deterministic, the figure the memory exponent is fitted on.
   */
  graphBytes: number;
  /**
   * V8 heap + ArrayBuffers at the end of the forward pass above the level before it (garbage
   * collector forced first when `gcForced`), bytes; the largest over the timed steps. A noisy
   * cross-check of `graphBytes` (includes garbage and closures' buffers).
   */
  heapBytes: number;
  /** The process's peak RSS after this length (lengths run in increasing order, so this is the peak up to it), bytes. */
  rssPeakBytes: number;
  /** Recurrent models: whether the step ran the fused kernels of @loopflow/cells or the composed ops; null for the transformer. */
  path: 'fused' | 'composed' | null;
  /** The transformer: whether its attention ran as the fused node or from composed ops; null for recurrent models. */
  attentionPath?: 'fused' | 'composed' | null;
}

/** The result of a scaling job, with power-law fits of time and memory against length. */
export interface ScalingResult {
  kind: 'scaling';
  id: string;
  model: ModelKind;
  width: number;
  parameters: number;
  batchSize: number;
  points: ScalingPoint[];
  /** Fit of msPerStep against length over all points. */
  timeFit: PowerLawFit;
  /** Exponent of time between the two longest lengths. */
  timeLastExponent: number;
  /** Fit of graphBytes against length. */
  memoryFit: PowerLawFit;
  memoryLastExponent: number;
  /** Whether garbage collection was forced before each measured step (node --expose-gc). */
  gcForced: boolean;
  /** Whether the job ran in a process of its own (then rssPeakBytes is this model's alone). */
  isolated: boolean;
  /**
   * Recurrent models: 'fused' when @loopflow/cells ran a layer through its fused WebAssembly
   * kernels (one graph node per layer; its saved activations live in WebAssembly memory, outside
   * graphBytes), 'composed' when the step was built from tensor ops, 'mixed' when that changed
   * between lengths; null for the transformer.
   */
  recurrentPath: 'fused' | 'composed' | 'mixed' | null;
  /**
   * The transformer: 'fused' when its attention ran as @loopflow/attention's fused node (it keeps
   * one log-sum-exp per query row for backward, no T x T scores, so its graph bytes grow linearly
   * in T), 'composed' when the scores were built from tensor ops (kept: T^2 per head), 'mixed'
   * when that changed between lengths; null for recurrent models.
   */
  attentionPath?: 'fused' | 'composed' | 'mixed' | null;
}

function pathOf(points: readonly ScalingPoint[]): ScalingResult['recurrentPath'] {
  const paths = new Set(points.map((p) => p.path));
  if (paths.has(null)) return null;
  return paths.size === 1 ? [...paths][0] : 'mixed';
}

function attentionPathOf(points: readonly ScalingPoint[]): ScalingResult['attentionPath'] {
  const paths = new Set(points.map((p) => p.attentionPath ?? null));
  return paths.size === 1 ? [...paths][0] : 'mixed';
}

/**
 * Measures time and memory per training step of one model at each length (adding-problem
 * batches, fixed batch size, full BPTT + Adam), then fits `time ~ T^k` and `memory ~ T^k`.
 *
 * @example
 * const r = await runScalingJob({ kind: 'scaling', id: 's/lstm', model: 'lstm', lengths: [64, 128, 256], batchSize: 4, budget: 2000, repeats: 2 });
 * r.timeFit.exponent; // ~1 for a recurrent model
 */
export async function runScalingJob(job: ScalingJob, onProgress: (p: JobProgress) => void = () => {}, isolated = false): Promise<ScalingResult> {
  const lengths = [...job.lengths].sort((a, b) => a - b);
  const io = { inputSize: 2, outputSize: 1 };
  const model = createBenchModel(job.model, io, job.budget, new Random(`scaling/${job.model}`), { maxLength: lengths[lengths.length - 1] });
  const params = parameters(model.module);
  const parameterSet = new Set(params);
  const optimizer = adam(params, { lr: 1e-3 });
  const points: ScalingPoint[] = [];
  let gcForced = false;
  for (const [i, length] of lengths.entries()) {
    const task = addingTask(length, { validationSize: 1, testSize: 1 });
    const batch = task.trainBatch(new Random(`scaling/${length}`), job.batchSize);
    const msAll: number[] = [];
    let heapHeld = 0;
    let graph = 0;
    let fused = false;
    let fusedAttention = false;
    const warmup = (job.warmup ?? 1) + (i === 0 ? 2 : 0);
    for (let r = 0; r < warmup + job.repeats; r++) {
      gcForced = collectGarbage();
      const before = heapBytes();
      const t0 = performance.now();
      optimizer.zeroGrad();
      const out: Tensor = model.forward(batch.inputs, task.readFrom(length));
      const loss = task.evaluate(out, batch).loss;
      const held = heapBytes() - before;
      if (r === 0) {
        const stats = graphStats(loss, parameterSet);
        graph = stats.bytes;
        if ([...stats.ops].some((op) => op.endsWith('_fused'))) fused = true;
        if (stats.ops.has('fusedAttention')) fusedAttention = true;
      }
      loss.backward();
      clipGradNorm(params, 1);
      optimizer.step();
      model.afterStep();
      const ms = performance.now() - t0;
      if (r >= warmup) {
        msAll.push(ms);
        heapHeld = Math.max(heapHeld, held);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    points.push({ length, msPerStep: Math.min(...msAll), msAll, graphBytes: graph, heapBytes: heapHeld, rssPeakBytes: peakRssBytes(), path: model.recurrent ? (fused ? 'fused' : 'composed') : null, attentionPath: model.recurrent ? null : fusedAttention ? 'fused' : 'composed' });
    onProgress({ jobId: job.id, step: i + 1, of: lengths.length });
  }
  const xs = points.map((p) => p.length);
  const time = points.map((p) => p.msPerStep);
  const mem = points.map((p) => p.graphBytes);
  return {
    kind: 'scaling',
    id: job.id,
    model: job.model,
    width: model.width,
    parameters: model.parameters,
    batchSize: job.batchSize,
    points,
    timeFit: fitPowerLaw(xs, time),
    timeLastExponent: lastSegmentExponent(xs, time),
    memoryFit: fitPowerLaw(xs, mem),
    memoryLastExponent: lastSegmentExponent(xs, mem),
    gcForced,
    isolated,
    recurrentPath: pathOf(points),
    attentionPath: model.recurrent ? null : attentionPathOf(points),
  };
}
