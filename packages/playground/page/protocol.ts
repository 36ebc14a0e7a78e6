/** The messages between the page and its training worker (worker.ts). Everything is structured-clonable. */
import type { DefinitionProblem, MetricSet, PipelineEvent, SeriesComparison } from '@loopflow/pipeline/browser';

/** What the worker runs on, reported once when it starts. */
export interface KernelReport {
  /** The tensor backend in use (`wasm-simd`, `wasm-relaxed`, or `reference` when WebAssembly is unavailable). */
  backend: string;
  /** Threads of the tensor backend. */
  backendThreads: number;
  /** Whether the fused recurrent kernels (WebAssembly) are available. */
  fusedKernelsAvailable: boolean;
  /** The fused kernels' build and threads, when available. */
  fused: { variant: string; threads: number } | null;
  /** Whether the worker runs in a cross-origin isolated context (SharedArrayBuffer, threads). */
  crossOriginIsolated: boolean;
}

/** A race entrant's size. */
export interface Entrant {
  name: string;
  /** The model stage, as in a definition. */
  stage: Record<string, unknown>;
  parameters: number;
}

export type ToWorker =
  | { type: 'train'; text: string }
  | { type: 'stop' }
  | { type: 'sample'; count: number; temperature: number }
  | { type: 'weights' }
  | { type: 'load'; weights: ArrayBuffer; weightsName: string; modelJson?: string }
  | { type: 'race'; budget: number; epochs: number; names: number };

/** The result of a run, the way the HTML report shows it. */
export interface RunResult {
  task: string;
  /** Metrics per split (evaluate stage). */
  metrics: Record<string, MetricSet>;
  /** Baselines per name and split. */
  baselines: { name: string; metrics: Record<string, MetricSet> }[];
  /** Sampled texts (language models). */
  samples?: string[];
  /** Samples not in the training split. */
  novel?: number;
  /** Forecasts against the truth (forecasting). */
  series?: SeriesComparison;
  parameters: number;
  stopped: boolean;
}

export type FromWorker =
  | { type: 'ready'; kernels: KernelReport }
  | { type: 'problems'; problems: DefinitionProblem[] }
  | { type: 'event'; event: PipelineEvent }
  | { type: 'result'; result: RunResult }
  | { type: 'samples'; samples: string[]; source: string }
  | { type: 'weights'; weights: ArrayBuffer; modelJson: string; name: string }
  | { type: 'loaded'; description: string; samples: string[] }
  | { type: 'race-start'; entrants: Entrant[]; steps: number }
  | { type: 'race-step'; index: number; step: number; loss: number }
  | { type: 'race-done'; results: { index: number; validLoss?: number; ms: number }[] }
  | { type: 'error'; message: string; code?: string }
  | { type: 'stopped' };
