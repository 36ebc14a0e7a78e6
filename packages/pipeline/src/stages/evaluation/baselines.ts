import { map, OperatorFunction } from 'rxjs';
import { defineStage, StageOptionsError } from '../../vocabulary/stage';
import type { EvaluatedBundle } from '../../vocabulary/bundle';
import type { SplitName } from '../../vocabulary/items';
import { BASELINE_TASKS, baselinesFor, computeBaseline } from '../../baselines/baselines';
import type { BaselineMethod } from '../../vocabulary/bundle';

/** Options of the `baselines` stage. */
export interface BaselinesStageOptions {
  methods?: BaselineMethod[];
  addK?: number;
  season?: number;
  splits?: SplitName[];
}

const METHODS = Object.keys(BASELINE_TASKS) as BaselineMethod[];

/** `baselines`: simple models fitted on the training split, measured beside the model on the same splits. */
export const baselinesStage = defineStage<BaselinesStageOptions>({
  name: 'baselines',
  plugin: 'pipeline',
  category: 'evaluate',
  summary: 'Measures simple baselines fitted on the training split beside the model, on the same splits and target points, with the same metrics.',
  description:
    "'bigram' (language models): each token given the one before, add-k smoothing, per token with the end token, like the model's loss. 'majority' (classification): always the training split's most frequent class. 'seasonal-naive' (forecasting): the value one `season` before the target (season 1: the last value); 'seasonal-naive-drift': that plus the training split's mean change over a season. Forecast baselines are measured in the original units on exactly the model's targets. The report shows them beside the model.",
  input: ['evaluation'],
  output: 'evaluation',
  schema: {
    type: 'object',
    properties: {
      methods: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: METHODS },
        description: "The baselines (default: every one that fits the task: 'bigram'; 'majority'; 'seasonal-naive' and 'seasonal-naive-drift').",
      },
      addK: { type: 'number', exclusiveMinimum: 0, default: 1, description: "'bigram': add-k smoothing (1: add-one)." },
      season: { type: 'integer', minimum: 1, default: 1, description: "'seasonal-naive' and 'seasonal-naive-drift': the season in rows (12 for a yearly season of monthly data)." },
      splits: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['train', 'validation', 'test'] }, description: 'Splits to measure (default: those the evaluate stage measured).' },
    },
  },
  example: { stage: 'baselines', methods: ['seasonal-naive', 'seasonal-naive-drift'], season: 12 },
  create: (o, ctx): OperatorFunction<EvaluatedBundle, EvaluatedBundle> => {
    const task = ctx.task;
    const methods = o.methods ?? (task ? baselinesFor(task) : []);
    if (task) {
      methods.forEach((method, i) => {
        if (BASELINE_TASKS[method] !== task) {
          throw new StageOptionsError(`baseline '${method}' fits a ${BASELINE_TASKS[method]} task; this pipeline trains a ${task} model`, {
            path: `/methods/${i}`,
            expected: baselinesFor(task).map((m) => `'${m}'`).join(' or '),
            found: `'${method}'`,
            hint: 'remove it, or leave methods out for the baselines that fit the task',
          });
        }
      });
    }
    if (o.addK !== undefined && !methods.includes('bigram')) throw new StageOptionsError("addK applies to the 'bigram' baseline", { path: '/addK', hint: 'remove addK' });
    if (o.season !== undefined && !methods.some((m) => m.startsWith('seasonal'))) throw new StageOptionsError("season applies to the 'seasonal-naive' baselines", { path: '/season', hint: 'remove season' });
    return map((bundle) => {
      const splits = o.splits ?? (Object.keys(bundle.metrics).length ? (Object.keys(bundle.metrics) as SplitName[]) : (['validation', 'test'] as SplitName[]));
      const chosen = o.methods ?? baselinesFor(bundle.data.task);
      const results = chosen.map((method) => computeBaseline(bundle.data, method, { addK: o.addK, season: o.season }, splits));
      for (const result of results) for (const [split, metrics] of Object.entries(result.metrics)) if (metrics) ctx.emit({ type: 'baseline', name: result.name, split: split as SplitName, metrics });
      return { ...bundle, baselines: [...(bundle.baselines ?? []), ...results] };
    });
  },
});
