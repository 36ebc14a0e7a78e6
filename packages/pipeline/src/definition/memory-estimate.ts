import type { PipelineDefinition, StageEntry } from './types';
import type { DefinitionProblem } from './problems';

/**
 * A lower bound of the memory a definition's training needs, from its options alone (the
 * data is not read: the vocabulary, the feature count and the sequence length it does not
 * fix count as 1). float32 everywhere: 4 bytes a number.
 */
export interface MemoryEstimate {
  /** The model stage's pointer (`/stages/6`) and name. */
  path: string;
  stage: string;
  /** Trainable parameters (the recurrent or attention core and the head; at least). */
  parameters: number;
  /** Bytes: the weights, their gradients, the optimizer's state (Adam 2 numbers a weight), the activations BPTT keeps. */
  bytes: { parameters: number; gradients: number; optimizer: number; activations: number; total: number };
  /** Batch size and steps kept for BPTT that the activations were counted with. */
  batch: number;
  steps: number;
  /** Whether `steps` comes from the definition (a window, a maximum length, truncated BPTT) or is 1 for want of it. */
  stepsKnown: boolean;
}

const FLOAT = 4;

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback);

/** Numbers a cell keeps per hidden unit and step for its backward pass (gate pre-activations, state(s)). */
const GATES: Record<string, number> = { lstm: 4, gru: 3, rnn: 1, indrnn: 1 };

/**
 * Estimates the training memory of a definition's model (see {@link MemoryEstimate}); null
 * when it has no model stage this knows. Parameters, their gradients and the optimizer's
 * state, plus the activations backpropagation through time keeps: batch x steps x hidden x
 * layers x directions x (gates + states), or for attention also the batch x heads x steps²
 * attention weights of every layer.
 *
 * @example estimateTrainingMemory(definition)?.bytes.total // 1.2e9
 */
export function estimateTrainingMemory(definition: PipelineDefinition): MemoryEstimate | null {
  const stages = Array.isArray(definition.stages) ? definition.stages : [];
  const index = stages.findIndex((s) => s && (s.stage === 'recurrent' || s.stage === 'attention' || s.stage === 'feedback'));
  if (index < 0) return null;
  const model = stages[index];
  const option = (name: string): StageEntry | undefined => stages.find((s) => s && s.stage === name);
  const train = option('train');
  const batch = num(option('batch')?.batchSize, 1);
  const steps = sequenceSteps(stages, train);
  const inputWidth = num(model.embeddingSize, 1);
  let parameters = 0;
  let activationsPerSample = 0; // numbers per sample and step (attention adds its steps² weights below)
  if (model.stage === 'recurrent') {
    const cell = typeof model.cell === 'string' ? model.cell : 'lstm';
    const gates = GATES[cell] ?? 4;
    const hidden = num(model.hiddenSize, 1);
    const layers = num(model.numLayers, 1);
    const directions = model.bidirectional === true ? 2 : 1;
    const recurrent = cell === 'indrnn' ? hidden : hidden * hidden; // IndRNN: one weight a neuron
    for (let l = 0; l < layers; l++) {
      const input = l === 0 ? inputWidth : hidden * directions;
      parameters += directions * gates * (input * hidden + recurrent + 2 * hidden);
    }
    parameters += hidden * directions + 1; // the head, to at least one output
    activationsPerSample = hidden * layers * directions * (gates + (cell === 'lstm' ? 2 : 1));
  } else if (model.stage === 'attention') {
    const width = num(model.dModel, 1);
    const layers = num(model.layers, 1);
    const mlp = num(model.mlpWidth, 4 * width);
    parameters += layers * (4 * width * width + 4 * width + 2 * width * mlp + mlp + width + 4 * width) + width + 1;
    activationsPerSample = layers * (8 * width + 2 * mlp);
  } else {
    const layers = Array.isArray(model.layers) ? (model.layers as { name?: unknown; size?: unknown }[]) : [];
    const sizes = layers.map((l) => num(l?.size, 1));
    const all = sizes.reduce((a, b) => a + b, 0);
    sizes.forEach((size, i) => (parameters += size * ((i === 0 ? inputWidth : sizes[i - 1]) + 1)));
    const sizeOf = (name: unknown): number => sizes[layers.findIndex((l) => l?.name === name)] ?? 0;
    const edges = model.feedback === 'complete' ? [{ kind: 'complete' }] : Array.isArray(model.feedback) ? (model.feedback as Record<string, unknown>[]) : [];
    for (const e of edges) {
      if (e?.kind === 'complete') parameters += all * all;
      else if (e?.kind === 'lateral') parameters += sizeOf(e.layer) ** 2;
      else if (e?.kind === 'direct') parameters += sizeOf(e.layer);
      else if (e?.kind === 'indirect') parameters += sizeOf(e.from) * sizeOf(e.to);
    }
    parameters += (sizes[sizes.length - 1] ?? 1) + 1;
    activationsPerSample = 2 * all;
  }
  const optimizer = (train?.optimizer as { kind?: string; momentum?: number } | undefined) ?? { kind: 'adam' };
  const kind = optimizer.kind ?? 'adam';
  const stateNumbers = kind === 'adam' || kind === 'adamw' ? 2 : kind === 'sgd' ? (num(optimizer.momentum, 0) > 0 ? 1 : 0) : 1;
  let activations = batch * steps * activationsPerSample;
  if (model.stage === 'attention') activations += num(model.layers, 1) * batch * num(model.heads, 1) * steps * steps * 2; // weights and their softmax input
  const bytes = {
    parameters: parameters * FLOAT,
    gradients: parameters * FLOAT,
    optimizer: parameters * stateNumbers * FLOAT,
    activations: activations * FLOAT,
    total: 0,
  };
  bytes.total = bytes.parameters + bytes.gradients + bytes.optimizer + bytes.activations;
  return { path: `/stages/${index}`, stage: model.stage, parameters, bytes, batch, steps, stepsKnown: knownSteps(stages, train) !== undefined };
}

/** The steps of a sequence the definition fixes (window, maximum length), cut to truncated BPTT's reach; 1 when none is fixed. */
function sequenceSteps(stages: StageEntry[], train: StageEntry | undefined): number {
  return knownSteps(stages, train) ?? 1;
}

function knownSteps(stages: StageEntry[], train: StageEntry | undefined): number | undefined {
  let steps: number | undefined;
  for (const s of stages) {
    if (!s) continue;
    if (s.stage === 'windows' && typeof s.lookBack === 'number') steps = s.lookBack;
    if (s.stage === 'next-token' && typeof s.length === 'number') steps = s.length;
    if ((s.stage === 'next-token' || s.stage === 'classify') && typeof s.maxLength === 'number') steps = s.maxLength + (s.stage === 'next-token' ? 1 : 0);
  }
  const backward = (train?.bptt as { stepsPerUpdate?: number; stepsBackward?: number } | undefined) ?? undefined;
  const reach = backward ? num(backward.stepsBackward, num(backward.stepsPerUpdate, 0)) : 0;
  if (reach > 0) steps = steps === undefined ? reach : Math.min(steps, reach);
  return steps;
}

/** Bytes as text: `1.5 GB` (powers of 1024, named as people do). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} bytes` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The share of this machine's memory (os.totalmem) a definition may plan to use unless it sets `memoryLimitMB`. */
export const DEFAULT_MEMORY_SHARE = 0.75;

/**
 * The problem of a definition whose training cannot fit the memory limit: `limitMB` when
 * given (the caller's option, the CLI's `--memory-limit`), else `memoryLimitMB` when the
 * definition sets it, else {@link DEFAULT_MEMORY_SHARE} of `totalMemory` (this machine's,
 * os.totalmem()). Null when it fits or has no model stage.
 */
export function memoryProblem(definition: PipelineDefinition, totalMemory: number, limitMB?: number): DefinitionProblem | null {
  const estimate = estimateTrainingMemory(definition);
  if (!estimate) return null;
  const set = limitMB ?? definition.memoryLimitMB;
  const limit = set !== undefined ? set * 1024 * 1024 : Math.floor(totalMemory * DEFAULT_MEMORY_SHARE);
  if (estimate.bytes.total <= limit) return null;
  const b = estimate.bytes;
  const source = limitMB !== undefined ? `--memory-limit ${limitMB}` : `memoryLimitMB ${set}`;
  const limitText = set !== undefined ? `the limit of ${formatBytes(limit)} (${source})` : `the limit of ${formatBytes(limit)} (${Math.round(DEFAULT_MEMORY_SHARE * 100)}% of this machine's ${formatBytes(totalMemory)})`;
  const steps = estimate.stepsKnown ? `${estimate.steps} step${estimate.steps === 1 ? '' : 's'}` : '1 step (per step of the sequences, which the data fixes)';
  return {
    code: 'MEMORY',
    path: estimate.path,
    message:
      `${estimate.stage}: training this model needs at least ${formatBytes(b.total)} of memory, more than ${limitText}: ` +
      `${estimate.parameters.toExponential(2)} parameters (weights ${formatBytes(b.parameters)}, gradients ${formatBytes(b.gradients)}, optimizer state ${formatBytes(b.optimizer)}), ` +
      `activations kept for BPTT ${formatBytes(b.activations)} (batch ${estimate.batch} x ${steps})`,
    expected: `at most ${formatBytes(limit)}`,
    found: `at least ${formatBytes(b.total)}`,
    hint: 'make the model smaller (hiddenSize, numLayers, dModel, layers), the batch or the sequences shorter; or, on a machine that has the memory, raise the limit with "memoryLimitMB" (a number of MB) at the top of the definition, or with --memory-limit <MB> on loopflow run or validate',
  };
}
