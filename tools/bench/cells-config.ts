/**
 * The `cells` bench's vocabulary: which implementations, cells and modes exist, the model
 * size, the timing plans, what one measured case is and what it reports, and the targets.
 * Shared by the parent (cells.ts), the child processes (cells-worker.ts) and the spec.
 */

/**
 * Who runs the model: loopflow's public APIs, or TensorFlow.js on one of its backends.
 * `loopflow` trains on the dense one-hot input `[T, B, V]` (the same work as TensorFlow.js:
 * ratios and targets use it) and streams for infer-b1; `loopflow-tokens` trains the same model
 * on the token ids (`runRecurrentTokens`, a row gather instead of the input product).
 */
export type ImplName = 'loopflow' | 'loopflow-tokens' | 'tfjs-wasm' | 'tfjs-cpu';
/** The recurrent layer: LSTM, GRU, or an Elman RNN (tanh). */
export type RecurrentCellName = 'lstm' | 'gru' | 'rnn';
/**
 * The attention model of issue 13 (one-hot -> Linear -> causal single-head attention +
 * residual -> Linear head; cells-attention.ts) at T 64 / batch 32 and at T 1024 / batch 8.
 */
export type AttentionCellName = 'attention-t64' | 'attention-t1024';
/** What a training case trains: a recurrent layer or the attention model. */
export type CellName = RecurrentCellName | AttentionCellName;
/** Full-BPTT training of the character LM, or batch-1 streaming inference (one step at a time). */
export type ModeName = 'train' | 'infer-b1';

export const IMPLS: readonly ImplName[] = ['loopflow', 'loopflow-tokens', 'tfjs-wasm', 'tfjs-cpu'];
export const RECURRENT_CELLS: readonly RecurrentCellName[] = ['lstm', 'gru', 'rnn'];
export const ATTENTION_CELLS: readonly AttentionCellName[] = ['attention-t64', 'attention-t1024'];
export const CELLS: readonly CellName[] = [...RECURRENT_CELLS, ...ATTENTION_CELLS];

/** Whether `cell` is one of the attention cases. */
export function isAttention(cell: CellName): cell is AttentionCellName {
  return (ATTENTION_CELLS as readonly string[]).includes(cell);
}

/** The character language model's sizes. */
export interface ModelSize {
  /** Symbols: one-hot input width and softmax width (V). */
  vocab: number;
  /** Units of the one recurrent layer (H). */
  hidden: number;
  /** Time steps of full BPTT per training iteration (T). */
  steps: number;
  /** Sequences per training iteration (B). */
  batch: number;
}

/** The configuration: one-hot 64, hidden 128, head 64, T = 64, B = 32. */
export const STANDARD_SIZE: ModelSize = Object.freeze({ vocab: 64, hidden: 128, steps: 64, batch: 32 });

/** T and B of each attention case (issue 13's two configs); vocab and width are those of the standard size. */
export const ATTENTION_SHAPES: Readonly<Record<AttentionCellName, { steps: number; batch: number }>> = Object.freeze({
  'attention-t64': { steps: 64, batch: 32 },
  'attention-t1024': { steps: 1024, batch: 8 },
});

/** Steps of batch-1 inference timed as one unit (the median is over such chunks). */
export const INFERENCE_CHUNK = 256;

/**
 * How long to run a case. Warm-up runs until both minimums are met (V8 tiers WebAssembly
 * and hot JS up in the background; TensorFlow.js also builds its kernels lazily). Timing
 * runs until both of its minimums are met or `maxIterations` is reached.
 */
export interface TimingPlan {
  warmupIterations: number;
  warmupSeconds: number;
  minIterations: number;
  seconds: number;
  maxIterations: number;
}

/**
 * The plan of a case. tfjs-cpu trains at ~1-5 s an iteration, so it warms up once and is
 * timed on two or more iterations for >= 3 s; other training warms up for >= 3 iterations and
 * 1.5 s and is timed for >= 3 iterations and 4 s; inference chunks for 1.5 s and 3 s.
 * `--quick` cuts every plan to about a second.
 */
export function timingPlan(impl: ImplName, mode: ModeName, quick: boolean): TimingPlan {
  if (mode === 'infer-b1') {
    return quick
      ? { warmupIterations: 2, warmupSeconds: 0.3, minIterations: 3, seconds: 0.7, maxIterations: 1000 }
      : { warmupIterations: 4, warmupSeconds: 1.5, minIterations: 5, seconds: 3, maxIterations: 100000 };
  }
  if (impl === 'tfjs-cpu') {
    return quick
      ? { warmupIterations: 1, warmupSeconds: 0, minIterations: 1, seconds: 0, maxIterations: 1 }
      : { warmupIterations: 1, warmupSeconds: 0, minIterations: 2, seconds: 3, maxIterations: 10 };
  }
  return quick
    ? { warmupIterations: 1, warmupSeconds: 0.3, minIterations: 2, seconds: 0.7, maxIterations: 20 }
    : { warmupIterations: 3, warmupSeconds: 1.5, minIterations: 3, seconds: 4, maxIterations: 200 };
}

/** One measurement to make: everything a child process needs. */
export interface CaseSpec {
  impl: ImplName;
  cell: CellName;
  mode: ModeName;
  size: ModelSize;
  plan: TimingPlan;
  /** Seeds the weights and the token stream. */
  seed: number;
}

/** What one case measured. */
export interface CaseResult {
  impl: ImplName;
  cell: CellName;
  mode: ModeName;
  /** Trained time steps per second (T * B per iteration), or streamed steps per second, of the median iteration. */
  stepsPerSecond: number;
  /** The same from the fastest iteration. */
  bestStepsPerSecond: number;
  /** Median seconds of one iteration (a training step, or a chunk of streamed steps). */
  secondsPerIteration: number;
  /** Timed iterations (after warm-up). */
  iterations: number;
  /** Time steps one iteration covers (T * B, or the inference chunk). */
  stepsPerIteration: number;
  /** Peak resident memory of the process that ran the case (`resourceUsage().maxRSS`), MB. */
  peakRssMb: number;
  /** Process CPU seconds per wall second while timed: < 1 under load, > 1 with helper threads. */
  cpuPerWall: number;
  /**
   * Steps per CPU second of the process (all its threads), over the timed iterations: less
   * sensitive to other processes than `stepsPerSecond`, but it charges helper threads too.
   */
  stepsPerCpuSecond: number;
  /** Which code path ran, e.g. `backend=wasm-relaxed layerRunner=none input=one-hot-matmul`. */
  path: string;
  /** Last training loss (a sanity value: about ln V on random tokens); absent for inference. */
  loss?: number;
}

/** The JSON line of a result (`--json`), with ratios filled in for loopflow's lines. */
export interface ResultLine {
  bench: 'cells';
  impl: ImplName;
  cell: CellName;
  mode: ModeName;
  steps_per_s: number;
  peak_rss_mb: number;
  best_steps_per_s: number;
  ms_per_iter: number;
  iterations: number;
  steps_per_iter: number;
  cpu_per_wall: number;
  steps_per_cpu_s: number;
  path: string;
  loss?: number;
  vs_tfjs_wasm?: number;
  vs_tfjs_cpu?: number;
  target?: string;
  target_met?: boolean;
}

/** A target of the issue: loopflow at least `ratio` times `against` (best of both tfjs backends for 'faster-tfjs'). */
export interface Target {
  cell: CellName;
  mode: ModeName;
  against: 'tfjs-wasm' | 'tfjs-cpu' | 'faster-tfjs';
  ratio: number;
}

/** The targets, as ratios measured in the same run. */
export const TARGETS: readonly Target[] = [
  { cell: 'lstm', mode: 'train', against: 'tfjs-wasm', ratio: 15 },
  { cell: 'lstm', mode: 'train', against: 'tfjs-cpu', ratio: 60 },
  { cell: 'gru', mode: 'train', against: 'tfjs-wasm', ratio: 8 },
  { cell: 'rnn', mode: 'train', against: 'tfjs-wasm', ratio: 8 },
  { cell: 'lstm', mode: 'infer-b1', against: 'faster-tfjs', ratio: 20 },
];
