import type { Random, Tensor } from '@loopflow/tensor';
import type { Batch } from '@loopflow/data';
import type { GradientFlowEntry } from '@loopflow/cells';
import type { ModelInputSpec, Task } from './prepared';

/**
 * A model's architecture as JSON (the `architecture` of model.json): enough to build it again
 * with fresh weights, then load the saved ones.
 */
export interface ModelDescription {
  /** The model family: 'recurrent', 'feedback' or 'attention'. */
  kind: string;
  task: Task;
  /** The model stage's options as run (defaults filled). */
  options: Record<string, unknown>;
  input: ModelInputSpec;
  /** Width of the head's output. */
  outputSize: number;
  /** Forecasting: rows predicted, columns per row. */
  horizon?: number;
  targetFeatures?: number;
}

/** Options of a forward pass. */
export interface ModelForwardOptions {
  /** Dropout on (training) or off. */
  training: boolean;
  /** The run's generator, for dropout between recurrent layers. */
  rng?: Random;
}

/**
 * A model of any family behind one interface: it reads a time-major batch and gives, by task,
 * next-token logits `[T, B, V]` (language model), class logits `[B, C]` (classification) or
 * predictions `[H, B, Ft]` (forecast, scaled units).
 */
export interface PipelineModel {
  readonly description: ModelDescription;
  /** The parameters and generators, as a tree of plain objects (walked by `namedParameters`). */
  readonly modules: object;
  /** Whether the model carries a recurrent state from call to call (TBPTT, step-by-step generation). */
  readonly stateful: boolean;
  forward(batch: Batch, state: unknown, options: ModelForwardOptions): { output: Tensor; state?: unknown };
  /**
   * Gradient-flow diagnostics (recurrent stacks): runs the batch (no dropout) and returns, per
   * layer and direction, the norm of `d lossOf(output) / d h_t` at every step t (the cells
   * package's `gradientFlow`). Absent for models without a per-step hidden state to trace.
   */
  gradientFlow?(batch: Batch, lossOf: (output: Tensor) => Tensor): GradientFlowEntry[];
}
