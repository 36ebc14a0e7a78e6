import { fail } from './errors';
import { RECURRENT_KINDS } from './names';
import type { CompareOptions } from './args';
import { SuiteConfig, specMaxLength, suiteConfig } from './suite';
import { createTask } from './tasks/create-task';
import type { TaskInstance } from './tasks/task';
import type { FlowJob } from './training/flow-run';
import type { TrainJob } from './training/train-run';
import type { ScalingJob } from './scaling/scaling-run';
import type { SkippedRun, TaskSummary } from './report/types';

/** The jobs of a suite, in the order they run, and the runs left out. */
export interface SuitePlan {
  config: SuiteConfig;
  /**
   * A scaling measurement per model (phase 1, one at a time: clean timings) and a gradient-flow
   * curve per recurrent model (run after the training runs, in parallel: no timings in them).
   */
  measurements: (ScalingJob | FlowJob)[];
  /** Phase 2, in parallel: training runs, longest first. */
  training: TrainJob[];
  tasks: TaskSummary[];
  skipped: SkippedRun[];
}

/** The suite's config with the command line's `seeds`, `tasks` and `models` applied. */
export function resolveSuite(options: CompareOptions): SuiteConfig {
  const config = suiteConfig(options.suite ?? 'quick');
  if (options.seeds !== undefined) {
    if (!Number.isInteger(options.seeds) || options.seeds < 1) fail('INVALID_ARGUMENT', `runCompare: seeds = ${options.seeds}; expected a whole number >= 1`);
    config.seeds = options.seeds;
  }
  if (options.tasks) config.taskOrder = config.taskOrder.filter((t) => options.tasks!.includes(t));
  if (options.models) config.models = config.models.filter((m) => options.models!.includes(m));
  if (config.models.length === 0) fail('INVALID_ARGUMENT', 'runCompare: no models selected; pass --models with at least one of rnn, lstm, gru, indrnn, transformer');
  return config;
}

function summaryOf(task: TaskInstance): TaskSummary {
  const { name, better, solvedAt, solvedRule, baselines } = task.metric;
  return { taskId: task.id, task: task.task, setting: task.setting, description: task.description, metric: { name, better, solvedAt, solvedRule, baselines }, ...(task.groupName ? { groupName: task.groupName } : {}) };
}

/**
 * Builds every job of a suite: scaling and gradient-flow measurements, and one training run
 * per task setting, model and seed: every model at every length (the transformer too, with no
 * length cap), so `skipped` is empty and the report has no "Runs not made" section.
 *
 * @example planSuite(resolveSuite({ suite: 'quick' })).training.length // 7 task settings x 5 models x 2 seeds = 70
 */
export function planSuite(config: SuiteConfig): SuitePlan {
  const measurements: (ScalingJob | FlowJob)[] = [];
  for (const model of config.models) {
    measurements.push({ kind: 'scaling', id: `scaling/${model}`, model, lengths: config.scaling.lengths, batchSize: config.scaling.batchSize, budget: config.scaling.budget, repeats: config.scaling.repeats });
  }
  for (const model of config.models.filter((m) => RECURRENT_KINDS.includes(m))) {
    measurements.push({ kind: 'gradient-flow', id: `gradient-flow/${model}`, model, length: config.gradientFlow.length, batchSize: config.gradientFlow.batchSize, budget: config.tasks.adding.budget, seed: 0 });
  }
  const training: { job: TrainJob; cost: number }[] = [];
  const tasks: TaskSummary[] = [];
  const skipped: SkippedRun[] = [];
  for (const name of config.taskOrder) {
    const plan = config.tasks[name];
    const longestAdding = name === 'adding' ? Math.max(...plan.specs.map(specMaxLength)) : -1;
    plan.specs.forEach((spec, i) => {
      const task = createTask(spec);
      tasks.push(summaryOf(task));
      const length = specMaxLength(spec);
      for (const model of config.models) {
        for (let seed = 0; seed < config.seeds; seed++) {
          const job: TrainJob = {
            kind: 'train',
            id: `${task.id}/${model}/seed=${seed}`,
            task: spec,
            model,
            seed,
            budget: plan.budget,
            batchSize: config.batchSize,
            maxSteps: plan.maxSteps[i],
            evalEvery: plan.evalEvery,
            lr: config.lr[model],
            clipGradNorm: config.clipGradNorm,
            stopWhenSolved: plan.stopWhenSolved,
            flowAfterTraining: name === 'adding' && length === longestAdding && seed === 0 && model !== 'transformer',
          };
          const perStep = model === 'transformer' ? length * (3 + length / 100) : length;
          training.push({ job, cost: plan.maxSteps[i] * perStep });
        }
      }
    });
  }
  training.sort((a, b) => b.cost - a.cost);
  return { config, measurements, training: training.map((t) => t.job), tasks, skipped };
}
