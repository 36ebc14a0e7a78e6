import type { ModelKind, TaskName } from './names';
import { MODEL_KINDS, TASK_NAMES } from './names';
import type { TaskSpec } from './tasks/create-task';

/** The suites: `quick` (minutes), `full` (hours), `tiny` (the quick suite shortened to seconds, for CI). */
export type SuiteName = 'quick' | 'full' | 'tiny';

/** How one task is trained in a suite: its settings and the training budget of each. */
export interface TaskPlan {
  /** One spec per setting (length, delay...). */
  specs: TaskSpec[];
  /** Optimizer steps at most, one per spec. */
  maxSteps: number[];
  /** Parameter budget of every model on this task. */
  budget: number;
  /** Steps between validations. */
  evalEvery: number;
  /** End a run at its first solved validation (tasks with a hard threshold). */
  stopWhenSolved: boolean;
}

/** Everything a suite does; `runCompare` builds its jobs from this. */
export interface SuiteConfig {
  name: SuiteName;
  /** Seeds per (task setting, model): 0..seeds-1. */
  seeds: number;
  models: ModelKind[];
  tasks: Record<TaskName, TaskPlan>;
  /** The tasks to run (a subset of `tasks`' keys). */
  taskOrder: TaskName[];
  /** Adam's learning rate per model kind. */
  lr: Record<ModelKind, number>;
  clipGradNorm: number;
  batchSize: number;
  scaling: { lengths: number[]; batchSize: number; budget: number; repeats: number };
  /** Gradient flow at initialisation: adding-problem length and batch (models at the adding budget). */
  gradientFlow: { length: number; batchSize: number };
}

const LR: Record<ModelKind, number> = { rnn: 1e-2, lstm: 1e-2, gru: 1e-2, indrnn: 5e-3, transformer: 3e-3 };

function adding(lengths: number[], maxSteps: number[], budget: number, evalEvery: number, validationSize: number, testSize: number): TaskPlan {
  return { specs: lengths.map((length) => ({ task: 'adding', length, validationSize, testSize })), maxSteps, budget, evalEvery, stopWhenSolved: true };
}

function copy(delays: number[], maxSteps: number[], budget: number, evalEvery: number, validationSize: number, testSize: number): TaskPlan {
  return { specs: delays.map((delay) => ({ task: 'copy', delay, symbols: 3, alphabet: 4, validationSize, testSize })), maxSteps, budget, evalEvery, stopWhenSolved: true };
}

function longContext(distances: number[], maxSteps: number, budget: number, evalEvery: number, size: number): TaskPlan {
  return { specs: [{ task: 'long-context', distances, validationSize: size, testSize: 2 * size }], maxSteps: [maxSteps], budget, evalEvery, stopWhenSolved: false };
}

function charLm(maxSteps: number, budget: number, evalEvery: number, validationSize: number, testSize: number): TaskPlan {
  return { specs: [{ task: 'char-lm', validationSize, testSize }], maxSteps: [maxSteps], budget, evalEvery, stopWhenSolved: false };
}

function co2(lookBack: number, maxSteps: number, budget: number, evalEvery: number): TaskPlan {
  return { specs: [{ task: 'co2', lookBack, validationSize: 1000, testSize: 1000 }], maxSteps: [maxSteps], budget, evalEvery, stopWhenSolved: false };
}

/**
 * The suites' settings. `quick` is sized to finish within 10 minutes on 2 otherwise idle
 * cores with 2 worker processes; `full` takes hours on the composed (non-fused) recurrent
 * path; `tiny` keeps every part of `quick` but shrinks steps, lengths and sets to seconds.
 *
 * @example suiteConfig('quick').tasks.adding.specs.map((s) => s.task === 'adding' && s.length) // [50, 100]
 */
export function suiteConfig(name: SuiteName): SuiteConfig {
  const common = { models: [...MODEL_KINDS], taskOrder: [...TASK_NAMES], lr: { ...LR }, clipGradNorm: 1, batchSize: 32 };
  if (name === 'tiny') {
    return {
      ...common,
      name,
      seeds: 2,
      batchSize: 8,
      tasks: {
        adding: adding([8, 16], [6, 6], 600, 3, 40, 40),
        copy: copy([2], [6], 600, 3, 40, 40),
        'long-context': longContext([4, 8], 6, 1500, 3, 16),
        'char-lm': charLm(6, 1500, 3, 40, 40),
        co2: co2(12, 6, 600, 3),
      },
      scaling: { lengths: [32, 64, 128, 256], batchSize: 2, budget: 600, repeats: 1 },
      gradientFlow: { length: 32, batchSize: 4 },
    };
  }
  if (name === 'quick') {
    return {
      ...common,
      name,
      seeds: 2,
      tasks: {
        adding: adding([50, 100], [2000, 2000], 16000, 50, 500, 1000),
        copy: copy([5, 20], [1000, 1000], 8000, 50, 250, 500),
        'long-context': longContext([4, 8, 16, 32, 64], 300, 10000, 50, 64),
        'char-lm': charLm(300, 10000, 100, 400, 842),
        co2: co2(24, 200, 4000, 50),
      },
      scaling: { lengths: [64, 128, 256, 512, 1024], batchSize: 8, budget: 16000, repeats: 3 },
      gradientFlow: { length: 200, batchSize: 32 },
    };
  }
  return {
    ...common,
    name,
    seeds: 3,
    tasks: {
      adding: adding([50, 100, 200, 500, 1000], [3000, 3000, 3000, 2000, 1000], 16000, 100, 1000, 2000),
      copy: copy([10, 50, 100, 200], [3000, 3000, 2000, 2000], 8000, 100, 500, 1000),
      'long-context': longContext([4, 8, 16, 32, 64, 128, 256], 600, 10000, 50, 128),
      'char-lm': charLm(3000, 20000, 200, 842, 842),
      co2: co2(48, 2000, 4000, 100),
    },
    scaling: { lengths: [64, 128, 256, 512, 1024, 2048], batchSize: 4, budget: 16000, repeats: 3 },
    gradientFlow: { length: 1000, batchSize: 32 },
  };
}

/** The longest sequence of a task spec (what a training run's cost is estimated from). */
export function specMaxLength(spec: TaskSpec): number {
  switch (spec.task) {
    case 'adding': return spec.length;
    case 'copy': return 2 * spec.symbols + spec.delay + 1;
    case 'long-context': return Math.max(...spec.distances) + 1;
    case 'char-lm': return 20;
    case 'co2': return spec.lookBack;
  }
}
